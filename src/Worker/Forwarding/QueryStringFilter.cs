using System.Net;

namespace Vespa.Worker.Forwarding;

/// <summary>
/// Removes the envelope's query parameters before the query string goes to the backend, keeping
/// every other parameter byte for byte, in order, repeats included.
/// </summary>
internal static class QueryStringFilter
{
    /// <summary>Prefix of the query-form auth fields (vast-protocol.md §1.2).</summary>
    public const string ServerlessPrefix = "serverless_";

    /// <summary>The official SDK client also sends the endpoint key as <c>?api_key=</c>; it must not reach the backend.</summary>
    public const string ApiKeyParameter = "api_key";

    public static QueryString Filter(QueryString query)
    {
        var value = query.Value;
        if (string.IsNullOrEmpty(value) || value.Length < 2)
        {
            return query;
        }

        var span = value.AsSpan(1);
        if (!ContainsStripped(span))
        {
            return query;
        }

        var kept = new List<string>();
        foreach (var range in span.Split('&'))
        {
            var part = span[range];
            if (part.Length > 0 && !IsStripped(part))
            {
                kept.Add(part.ToString());
            }
        }

        return kept.Count == 0 ? QueryString.Empty : new QueryString("?" + string.Join('&', kept));
    }

    private static bool ContainsStripped(ReadOnlySpan<char> query)
    {
        foreach (var range in query.Split('&'))
        {
            if (IsStripped(query[range]))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsStripped(ReadOnlySpan<char> parameter)
    {
        var equals = parameter.IndexOf('=');
        var rawName = equals < 0 ? parameter : parameter[..equals];
        var name = rawName.IndexOfAny('%', '+') < 0 ? rawName.ToString() : WebUtility.UrlDecode(rawName.ToString());
        return name.StartsWith(ServerlessPrefix, StringComparison.Ordinal) || name == ApiKeyParameter;
    }
}
