using System.Text;
using System.Text.RegularExpressions;

namespace Vespa.Deploy.Tests.Support;

/// <summary>
/// .dockerignore matching as Docker does it: patterns relative to the context root, <c>*</c> and <c>?</c>
/// within one path segment, <c>**</c> across segments, <c>!</c> re-includes, the last matching line wins, and a
/// path is excluded when it or one of its parent folders is.
/// </summary>
internal sealed class DockerIgnore
{
    private readonly List<(Regex Pattern, bool Exclude)> _rules = [];

    public DockerIgnore(string path)
    {
        foreach (var raw in File.ReadAllLines(path))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var exclude = !line.StartsWith('!');
            var pattern = (exclude ? line : line[1..]).Trim().Trim('/');
            _rules.Add((new Regex("^" + ToRegex(pattern) + "$"), exclude));
        }
    }

    public bool IsExcluded(string relativePath)
    {
        ArgumentNullException.ThrowIfNull(relativePath);
        var segments = relativePath.Trim('/').Split('/');
        for (var length = 1; length <= segments.Length; length++)
        {
            if (Matches(string.Join('/', segments[..length])))
            {
                return true;
            }
        }

        return false;
    }

    private bool Matches(string path)
    {
        var excluded = false;
        foreach (var (pattern, exclude) in _rules)
        {
            if (pattern.IsMatch(path))
            {
                excluded = exclude;
            }
        }

        return excluded;
    }

    private static string ToRegex(string pattern)
    {
        var regex = new StringBuilder();
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '*' && i + 1 < pattern.Length && pattern[i + 1] == '*')
            {
                // "**/" matches zero or more folders; a trailing "**" matches anything.
                var slash = i + 2 < pattern.Length && pattern[i + 2] == '/';
                regex.Append(slash ? "(?:.*/)?" : ".*");
                i += slash ? 2 : 1;
            }
            else
            {
                regex.Append(c switch
                {
                    '*' => "[^/]*",
                    '?' => "[^/]",
                    _ => Regex.Escape(c.ToString()),
                });
            }
        }

        return regex.ToString();
    }
}
