using System.Text;
using Vespa.Worker.Errors;

namespace Vespa.Worker.Envelopes;

/// <summary>
/// Decides whether a request path may be forwarded, judging it the way the backend will route it
/// (issue 9, finding 4). Kestrel decodes every escape in <c>Request.Path</c> except <c>%2F</c> and
/// removes the dot segments it can see; a backend such as uvicorn/Starlette then decodes the
/// <c>%2F</c> it is sent and routes <c>/admin%2Fusers</c> as <c>/admin/users</c>, past a
/// <c>/admin/*</c> rule that was checked against the undecoded form. So:
/// <list type="bullet">
/// <item>By default a path with an encoded separator (<c>%2F</c> or <c>%5C</c> in any case, hence
/// also a <c>\</c>) or with a dot segment (<c>.</c>, <c>..</c>) once those are decoded is refused
/// with 400 before anything is read or forwarded, whether or not blocked paths are configured.</item>
/// <item>With <c>VESPA_ALLOW_ENCODED_SLASHES=true</c> such paths are forwarded as they came, and
/// the blocked globs are matched against the path as received, its decoded form and the decoded
/// form with dot segments resolved: a rule blocks if any of them matches.</item>
/// </list>
/// </summary>
internal sealed class RequestPathPolicy
{
    private readonly BlockedPathMatcher _blocked;
    private readonly bool _allowEncodedSlashes;

    public RequestPathPolicy(BlockedPathMatcher blocked, bool allowEncodedSlashes)
    {
        _blocked = blocked;
        _allowEncodedSlashes = allowEncodedSlashes;
    }

    /// <summary>Returns <c>null</c> when the path may be forwarded, else the 400 or 403 to answer with.</summary>
    public WorkerError? Check(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var hasEncodedSeparator = HasEncodedSeparator(path);
        var decoded = hasEncodedSeparator ? DecodeSeparators(path) : path;
        var hasDotSegment = HasDotSegment(decoded);
        if (!hasEncodedSeparator && !hasDotSegment)
        {
            return _blocked.IsBlocked(path) ? WorkerError.Blocked(path) : null;
        }

        if (!_allowEncodedSlashes)
        {
            return WorkerError.AmbiguousPath(path);
        }

        if (_blocked.IsBlocked(path) || _blocked.IsBlocked(decoded) || _blocked.IsBlocked(RemoveDotSegments(decoded)))
        {
            return WorkerError.Blocked(path);
        }

        return null;
    }

    /// <summary><c>%2F</c> / <c>%5C</c> in any case, or a backslash (Kestrel has already decoded <c>%5C</c>).</summary>
    internal static bool HasEncodedSeparator(string path)
    {
        if (path.Contains('\\'))
        {
            return true;
        }

        for (var i = path.IndexOf('%'); i >= 0 && i + 2 < path.Length; i = path.IndexOf('%', i + 1))
        {
            var high = path[i + 1];
            var low = char.ToUpperInvariant(path[i + 2]);
            if ((high == '2' && low == 'F') || (high == '5' && low == 'C'))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The path with <c>%2F</c>, <c>%5C</c> and <c>\</c> turned into <c>/</c>, as a backend that decodes them sees its segments.</summary>
    internal static string DecodeSeparators(string path)
    {
        var builder = new StringBuilder(path.Length);
        for (var i = 0; i < path.Length; i++)
        {
            var c = path[i];
            if (c == '%' && i + 2 < path.Length)
            {
                var high = path[i + 1];
                var low = char.ToUpperInvariant(path[i + 2]);
                if ((high == '2' && low == 'F') || (high == '5' && low == 'C'))
                {
                    builder.Append('/');
                    i += 2;
                    continue;
                }
            }

            builder.Append(c == '\\' ? '/' : c);
        }

        return builder.ToString();
    }

    internal static bool HasDotSegment(string path)
    {
        foreach (var range in path.AsSpan().Split('/'))
        {
            var segment = path.AsSpan()[range];
            if (segment is "." or "..")
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>RFC 3986 §5.2.4 remove_dot_segments on an absolute path.</summary>
    internal static string RemoveDotSegments(string path)
    {
        var output = new List<string>();
        var segments = path.Split('/');
        for (var i = 1; i < segments.Length; i++)
        {
            var segment = segments[i];
            var last = i == segments.Length - 1;
            if (segment == ".")
            {
                if (last)
                {
                    output.Add("");
                }
            }
            else if (segment == "..")
            {
                if (output.Count > 0)
                {
                    output.RemoveAt(output.Count - 1);
                }

                if (last)
                {
                    output.Add("");
                }
            }
            else
            {
                output.Add(segment);
            }
        }

        return "/" + string.Join('/', output);
    }
}
