namespace Vespa.Worker.Sessions;

/// <summary>
/// Checks a session's <c>on_close_route</c> before it is stored: the close callback is a request
/// the worker makes to its own backend, so it gets the same path safety as a forwarded request. It
/// is a path on the backend (never a URL, <c>//host</c> or backslash form), at most
/// <see cref="MaxLength"/> characters of printable ASCII, with an optional query and no fragment;
/// its path has no encoded <c>/</c> or <c>\</c> (<c>%2F</c>, <c>%5C</c>) and no <c>.</c> or
/// <c>..</c> segment, raw or percent-encoded, so it cannot climb out of the backend's base path
/// or be routed differently by the backend than the blocked-path rules saw it. The blocked-path
/// rules themselves are applied by the caller to <see cref="DecodedPath"/>.
/// </summary>
internal static class SessionCloseRoute
{
    public const int MaxLength = 2048;

    /// <summary>Why <paramref name="route"/> cannot be a close callback, or null when it can.</summary>
    public static string? Problem(string route)
    {
        if (route.Length == 0 || route[0] != '/' || route.StartsWith("//", StringComparison.Ordinal))
        {
            return "must be a path on the backend starting with a single '/'";
        }

        if (route.Length > MaxLength)
        {
            return $"must be at most {MaxLength} characters";
        }

        foreach (var c in route)
        {
            if (c <= ' ' || c >= '\u007f' || c is '\\' or '#')
            {
                return "must be printable ASCII without spaces, '\\' or '#' (percent-encode other characters)";
            }
        }

        var path = PathPart(route);
        for (var i = 0; i < path.Length; i++)
        {
            if (path[i] != '%')
            {
                continue;
            }

            if (i + 2 >= path.Length || !Uri.IsHexDigit(path[i + 1]) || !Uri.IsHexDigit(path[i + 2]))
            {
                return "has an invalid percent-encoding";
            }

            var encoded = path.Substring(i + 1, 2).ToUpperInvariant();
            if (encoded is "2F" or "5C")
            {
                return "must not contain an encoded '/' or '\\' (%2F, %5C)";
            }
        }

        foreach (var segment in DecodedPath(route).Split('/'))
        {
            if (segment is "." or "..")
            {
                return "must not contain '.' or '..' segments";
            }
        }

        return null;
    }

    /// <summary>The path part, percent-decoded: what the backend routes, and what the blocked-path rules match.</summary>
    public static string DecodedPath(string route) => Uri.UnescapeDataString(PathPart(route));

    private static string PathPart(string route)
    {
        var query = route.IndexOf('?', StringComparison.Ordinal);
        return query < 0 ? route : route[..query];
    }
}
