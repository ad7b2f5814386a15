using System.Text;

namespace Vespa.Worker.Envelopes;

/// <summary>
/// Python <c>fnmatch</c>-style globs over the request path, as <c>PYWORKER_BLOCKED_PATHS</c>
/// (<see cref="GlobPattern"/>: <c>*</c> also matches <c>/</c>; case-sensitive). The path is checked as
/// given and with repeated slashes collapsed, so <c>//admin</c> cannot slip past a rule for
/// <c>/admin</c>. Encoded separators and dot segments are <see cref="RequestPathPolicy"/>'s concern.
/// </summary>
internal sealed class BlockedPathMatcher
{
    private readonly GlobPattern[] _globs;

    public BlockedPathMatcher(IEnumerable<string> globs)
    {
        _globs = [.. globs.Where(g => g.Length > 0).Select(g => new GlobPattern(g))];
    }

    public bool IsEmpty => _globs.Length == 0;

    public bool IsBlocked(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (_globs.Length == 0)
        {
            return false;
        }

        if (Matches(path))
        {
            return true;
        }

        var collapsed = CollapseSlashes(path);
        return !ReferenceEquals(collapsed, path) && Matches(collapsed);
    }

    private bool Matches(string path)
    {
        foreach (var glob in _globs)
        {
            if (glob.IsMatch(path))
            {
                return true;
            }
        }

        return false;
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
}
