namespace Vespa.Deploy.Tests.Support;

/// <summary>A COPY or ADD: the stage it copies from (null: the build context), its sources and destination.</summary>
internal sealed record DockerCopy(string? From, IReadOnlyList<string> Sources, string Destination);
