namespace Vespa.Worker.Forwarding;

/// <summary>
/// The one backend this worker forwards to. Every forwarded URL is built from this prefix and
/// checked against it, so no request path, absolute URI or <c>//host</c> form can reach another host.
/// </summary>
internal sealed class BackendTarget
{
    public BackendTarget(Uri baseUrl, string? identity = null)
    {
        BaseUrl = baseUrl;
        Identity = identity ?? baseUrl.GetLeftPart(UriPartial.Path);
        // YARP appends the request path to the prefix; a base path such as /api is kept, a trailing slash is not.
        Prefix = baseUrl.GetLeftPart(UriPartial.Path).TrimEnd('/');
    }

    public Uri BaseUrl { get; }

    /// <summary>What the benchmark cache records as the backend: its URL, or a stable name for an embedded one on an ephemeral port.</summary>
    public string Identity { get; }

    public string Prefix { get; }

    /// <summary>True when <paramref name="uri"/> goes to the configured scheme, host and port.</summary>
    public bool IsSameOrigin(Uri uri) =>
        uri.IsAbsoluteUri
        && string.Equals(uri.Scheme, BaseUrl.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(uri.IdnHost, BaseUrl.IdnHost, StringComparison.OrdinalIgnoreCase)
        && uri.Port == BaseUrl.Port
        && string.IsNullOrEmpty(uri.UserInfo);

    public Uri Combine(string relative) => new(Prefix + relative, UriKind.Absolute);
}
