using System.Xml.Linq;

namespace Vespa.Deploy.Tests.Support;

/// <summary>
/// One .csproj as the graph checks see it: its repository-relative path, assembly name, whether it is a test project,
/// the projects it references (repository-relative, '/'-separated) and the assemblies it exposes internals to.
/// </summary>
internal sealed record ProjectFile(
    string Path,
    string AssemblyName,
    bool IsTestProject,
    IReadOnlyList<ProjectReferenceEntry> References,
    IReadOnlyList<string> InternalsVisibleTo)
{
    /// <summary>The folder the project sits in, e.g. <c>src/Worker</c>.</summary>
    public string Folder => Path[..Path.LastIndexOf('/')];

    /// <summary>The top-level area: <c>src</c>, <c>tests</c> or <c>perf</c>.</summary>
    public string Area => Path[..Path.IndexOf('/', StringComparison.Ordinal)];

    public static ProjectFile Load(string root, string fullPath)
    {
        var document = XDocument.Load(fullPath);
        var relative = Relative(root, fullPath);
        var directory = System.IO.Path.GetDirectoryName(fullPath)!;
        var name = document.Descendants("AssemblyName").Select(e => e.Value.Trim()).FirstOrDefault()
            ?? System.IO.Path.GetFileNameWithoutExtension(fullPath);
        var isTest = document.Descendants("IsTestProject").Any(e => e.Value.Trim().Equals("true", StringComparison.OrdinalIgnoreCase));
        var references = document.Descendants("ProjectReference")
            .Select(e => new ProjectReferenceEntry(
                Relative(root, System.IO.Path.GetFullPath(System.IO.Path.Combine(directory, e.Attribute("Include")!.Value))),
                !string.Equals((string?)e.Attribute("ReferenceOutputAssembly"), "false", StringComparison.OrdinalIgnoreCase)))
            .ToList();
        var internals = document.Descendants("InternalsVisibleTo").Select(e => e.Attribute("Include")!.Value).ToList();
        return new ProjectFile(relative, name, isTest, references, internals);
    }

    private static string Relative(string root, string fullPath) =>
        System.IO.Path.GetRelativePath(root, fullPath).Replace('\\', '/');
}
