using System.Text.RegularExpressions;

namespace Vespa.Deploy.Tests.Support;

/// <summary>
/// The <c>VESPA_*</c> environment variables the shipped code and scripts name, found in the source: every C# file
/// under src/, every scripts/*.sh and the Dockerfile. Two forms count: a full name anywhere in the text (a literal,
/// a shell expansion, an <c>ENV</c> line, a message that tells the user to set it), and, in C# files that use the
/// worker's <c>EnvironmentReader</c>, a short name given to it (<c>env.Seconds("DRAIN_TIMEOUT")</c>,
/// <c>EnvironmentReader.Names("WORKER_HTTP_PORT", …)</c>, a helper called as <c>(env, "NAME")</c>), which the reader
/// looks up as <c>VESPA_&lt;NAME&gt;</c>.
/// </summary>
internal sealed partial class EnvironmentVariableScan
{
    private readonly SortedDictionary<string, SortedSet<string>> _readers = new(StringComparer.Ordinal);

    private EnvironmentVariableScan()
    {
    }

    /// <summary>Each name, with the repository-relative files that name it.</summary>
    public IReadOnlyDictionary<string, SortedSet<string>> Variables => _readers;

    public static EnvironmentVariableScan Load(string root)
    {
        var scan = new EnvironmentVariableScan();
        var sources = Directory.EnumerateFiles(Path.Combine(root, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(path => !IsBuildOutput(root, path));
        foreach (var path in sources)
        {
            var text = File.ReadAllText(path);
            scan.AddFullNames(root, path, text);
            if (text.Contains("EnvironmentReader", StringComparison.Ordinal))
            {
                foreach (Match match in ReaderCall().Matches(text))
                {
                    scan.Add("VESPA_" + match.Groups["name"].Value, root, path);
                }
            }
        }

        foreach (var path in Directory.EnumerateFiles(Path.Combine(root, "scripts"), "*.sh").Append(Path.Combine(root, "Dockerfile")))
        {
            scan.AddFullNames(root, path, File.ReadAllText(path));
        }

        return scan;
    }

    private static bool IsBuildOutput(string root, string path)
    {
        var segments = Path.GetRelativePath(root, path).Split(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
        return segments.Contains("bin", StringComparer.Ordinal) || segments.Contains("obj", StringComparer.Ordinal);
    }

    private void AddFullNames(string root, string path, string text)
    {
        foreach (Match match in FullName().Matches(text))
        {
            Add(match.Value, root, path);
        }
    }

    private void Add(string name, string root, string path)
    {
        if (!_readers.TryGetValue(name, out var files))
        {
            files = new SortedSet<string>(StringComparer.Ordinal);
            _readers[name] = files;
        }

        files.Add(Path.GetRelativePath(root, path).Replace('\\', '/'));
    }

    /// <summary>A whole <c>VESPA_</c> name; <c>VESPA_{name}</c> and <c>VESPA_&lt;NAME&gt;</c> (the prefix itself) are not names.</summary>
    [GeneratedRegex(@"(?<![A-Za-z0-9_])VESPA_[A-Z0-9]+(?:_[A-Z0-9]+)*(?![A-Za-z0-9_])")]
    private static partial Regex FullName();

    /// <summary>A short upper-case name handed to the prefixing reader: its typed getters and <c>Names</c>, or a helper's <c>(env, "NAME")</c>.</summary>
    [GeneratedRegex(@"(?:\b(?:String|Bool|Int|Long|Double|Seconds|Names)\(\s*|\(\s*env\s*,\s*)""(?<name>[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*)""")]
    private static partial Regex ReaderCall();
}
