using System.Text;
using System.Text.RegularExpressions;

namespace Vespa.Worker.Envelopes;

/// <summary>
/// Python <c>fnmatch</c>-style globs over the request path, as <c>PYWORKER_BLOCKED_PATHS</c>:
/// <c>*</c> matches any run of characters including <c>/</c>, <c>?</c> one character,
/// <c>[abc]</c> / <c>[!abc]</c> a set; case-sensitive. The path is checked as received and with
/// repeated slashes collapsed, so <c>//admin</c> cannot slip past a rule for <c>/admin</c>.
/// </summary>
internal sealed class BlockedPathMatcher
{
    private readonly Regex? _regex;

    public BlockedPathMatcher(IEnumerable<string> globs)
    {
        var parts = globs.Where(g => g.Length > 0).Select(Translate).ToList();
        if (parts.Count > 0)
        {
            _regex = new Regex("^(?:" + string.Join('|', parts) + ")$", RegexOptions.CultureInvariant | RegexOptions.Singleline, TimeSpan.FromMilliseconds(100));
        }
    }

    public bool IsEmpty => _regex is null;

    public bool IsBlocked(string path)
    {
        if (_regex is null)
        {
            return false;
        }

        if (_regex.IsMatch(path))
        {
            return true;
        }

        var collapsed = CollapseSlashes(path);
        return !ReferenceEquals(collapsed, path) && _regex.IsMatch(collapsed);
    }

    private static string CollapseSlashes(string path)
    {
        if (!path.Contains("//", StringComparison.Ordinal))
        {
            return path;
        }

        var builder = new StringBuilder(path.Length);
        foreach (var c in path)
        {
            if (c != '/' || builder.Length == 0 || builder[^1] != '/')
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    private static string Translate(string glob)
    {
        var builder = new StringBuilder();
        for (var i = 0; i < glob.Length; i++)
        {
            var c = glob[i];
            switch (c)
            {
                case '*':
                    builder.Append(".*");
                    break;
                case '?':
                    builder.Append('.');
                    break;
                case '[':
                    var end = glob.IndexOf(']', i + 2);
                    if (end < 0)
                    {
                        builder.Append(@"\[");
                        break;
                    }

                    var set = glob[(i + 1)..end];
                    builder.Append('[');
                    if (set.StartsWith('!'))
                    {
                        builder.Append('^');
                        set = set[1..];
                    }

                    builder.Append(set.Replace(@"\", @"\\", StringComparison.Ordinal).Replace("[", @"\[", StringComparison.Ordinal));
                    builder.Append(']');
                    i = end;
                    break;
                default:
                    builder.Append(Regex.Escape(c.ToString()));
                    break;
            }
        }

        return builder.ToString();
    }
}
