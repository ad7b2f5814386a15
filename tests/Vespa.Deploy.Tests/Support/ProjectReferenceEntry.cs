namespace Vespa.Deploy.Tests.Support;

/// <summary>A <c>ProjectReference</c>: the referenced project's repository-relative path, and whether its assembly is
/// referenced (false: a build-order-only reference, <c>ReferenceOutputAssembly="false"</c>).</summary>
internal sealed record ProjectReferenceEntry(string Path, bool ReferencesAssembly);
