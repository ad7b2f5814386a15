using System.Text.RegularExpressions;

namespace Vespa.Deploy.Tests.Support;

/// <summary>
/// The Dockerfile as a list of instructions (continuation lines joined, comments dropped), enough to check
/// what it refers to: COPY sources, stage names, script invocations, build properties and variables.
/// </summary>
internal sealed partial class DockerfileModel
{
    private DockerfileModel(IReadOnlyList<DockerInstruction> instructions)
    {
        Instructions = instructions;
    }

    public IReadOnlyList<DockerInstruction> Instructions { get; }

    /// <summary>Stage names declared with <c>FROM image AS name</c>.</summary>
    public IReadOnlyList<string> StageNames =>
        [.. Instructions.Where(i => i.Keyword == "FROM").Select(i => StageName().Match(i.Arguments)).Where(m => m.Success).Select(m => m.Groups["name"].Value)];

    public static DockerfileModel Load(string path)
    {
        var instructions = new List<DockerInstruction>();
        string? pending = null;
        foreach (var raw in File.ReadAllLines(path))
        {
            var line = raw.TrimEnd();
            if (pending is null && (line.TrimStart().StartsWith('#') || line.Length == 0))
            {
                continue;
            }

            if (pending is not null && line.TrimStart().StartsWith('#'))
            {
                continue; // comment lines inside a continued instruction are dropped by Docker too
            }

            var continued = line.EndsWith('\\');
            var text = continued ? line[..^1] : line;
            pending = pending is null ? text.Trim() : pending + " " + text.Trim();
            if (!continued)
            {
                var space = pending.IndexOf(' ', StringComparison.Ordinal);
                instructions.Add(new DockerInstruction(pending[..space].ToUpperInvariant(), pending[(space + 1)..].Trim()));
                pending = null;
            }
        }

        return new DockerfileModel(instructions);
    }

    /// <summary>COPY/ADD instructions split into flags, sources and destination.</summary>
    public IEnumerable<DockerCopy> Copies()
    {
        foreach (var instruction in Instructions.Where(i => i.Keyword is "COPY" or "ADD"))
        {
            var tokens = instruction.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var flags = tokens.TakeWhile(t => t.StartsWith("--", StringComparison.Ordinal)).ToList();
            var paths = tokens.Skip(flags.Count).ToList();
            var from = flags.FirstOrDefault(f => f.StartsWith("--from=", StringComparison.Ordinal))?["--from=".Length..];
            yield return new DockerCopy(from, paths[..^1], paths[^1]);
        }
    }

    /// <summary>The argument lists of every call of <paramref name="script"/> in RUN instructions.</summary>
    public IEnumerable<string[]> ScriptInvocations(string script)
    {
        var pattern = new Regex(Regex.Escape(script) + @"(?<args>[^;&|]*)");
        foreach (var run in Instructions.Where(i => i.Keyword == "RUN"))
        {
            foreach (Match match in pattern.Matches(run.Arguments))
            {
                yield return match.Groups["args"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            }
        }
    }

    [GeneratedRegex(@"\s+AS\s+(?<name>[A-Za-z0-9_.-]+)\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex StageName();
}
