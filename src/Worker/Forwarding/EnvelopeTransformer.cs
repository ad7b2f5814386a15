using Microsoft.AspNetCore.Http.Features;
using Vespa.Worker.Metrics;
using Vespa.Worker.Options;
using Yarp.ReverseProxy.Forwarder;

namespace Vespa.Worker.Forwarding;

/// <summary>
/// YARP transformer for the hop to the backend: YARP copies the headers (minus hop-by-hop ones),
/// then this strips the envelope from the query and the client's credentials and forwarding claims
/// from the headers, states where the request came from itself, and pins the destination to the
/// backend. The unwrapped payload is installed as the request body beforehand
/// (<see cref="BackendForwarder"/>): YARP does not allow a transformer to replace its outgoing content.
/// </summary>
/// <remarks>
/// A client can put anything in <c>X-Forwarded-For</c> or <c>Forwarded</c>, and backends such as
/// uvicorn trust those headers from 127.0.0.1 by default (issue 9, finding 10), so every
/// client-sent <c>X-Forwarded-*</c>, <c>Forwarded</c> and <c>X-Real-IP</c> is dropped and the worker
/// sets <c>X-Forwarded-For</c> (the peer address it saw), <c>X-Forwarded-Proto</c> (http or https)
/// and <c>X-Forwarded-Host</c> (the Host the client used) itself. Earlier hops are not kept: the
/// worker is the first proxy, there is none in front of it whose word could be trusted.
/// </remarks>
internal sealed class EnvelopeTransformer : HttpTransformer
{
    public const string ForwardedForHeader = "X-Forwarded-For";
    public const string ForwardedProtoHeader = "X-Forwarded-Proto";
    public const string ForwardedHostHeader = "X-Forwarded-Host";

    /// <summary>Request headers that carry the caller's credentials, our envelope or claims about earlier hops; never forwarded.</summary>
    private static readonly string[] StrippedRequestHeaders =
    [
        VespaHeaderNames.AuthData,
        "Authorization",
        "Proxy-Authorization",
        "Forwarded",
        "X-Real-IP",
    ];

    private readonly BackendTarget _target;
    private readonly bool _allowEncodedSlashes;
    private readonly WorkerMetrics _metrics;
    private readonly TimeProvider _time;

    public EnvelopeTransformer(BackendTarget target, WorkerOptions options, WorkerMetrics metrics, TimeProvider time)
    {
        _target = target;
        _allowEncodedSlashes = options.AllowEncodedSlashes;
        _metrics = metrics;
        _time = time;
    }

    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);

        foreach (var header in StrippedRequestHeaders)
        {
            proxyRequest.Headers.Remove(header);
        }

        RemoveClientForwardingHeaders(proxyRequest);
        AddForwardingHeaders(httpContext, proxyRequest);

        var query = httpContext.Features.Get<ForwardingPlan>()?.Query ?? QueryStringFilter.Filter(httpContext.Request.QueryString);
        // The base transform built prefix + path + the client's query already; built again only when the query lost
        // envelope parameters or the path goes as the client encoded it.
        var destination = EncodedPathDestination(httpContext, query)
            ?? (query == httpContext.Request.QueryString && proxyRequest.RequestUri is { } built
                ? built
                : RequestUtilities.MakeDestinationAddress(_target.Prefix, httpContext.Request.Path, query));
        if (!_target.IsSameOrigin(destination))
        {
            // Unreachable with YARP's prefix + path construction, but the guarantee is worth a check.
            throw new InvalidOperationException("The forwarded URL does not point at the configured backend.");
        }

        proxyRequest.RequestUri = destination;
    }

    /// <summary>
    /// The backend's headers are in: the moment of the first byte for <c>vespa_worker_time_to_first_byte_seconds</c>,
    /// and how the relayed bytes will be known: from Content-Length, or (a stream) by counting what is written.
    /// </summary>
    public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        var copyBody = await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
        if (proxyResponse is not null && httpContext.Features.Get<ForwardingPlan>() is { MeteredSince: { } since } plan)
        {
            _metrics.TimeToFirstByte.Observe(_time.GetElapsedTime(since).TotalSeconds);
            var status = (int)proxyResponse.StatusCode;
            if (HttpMethods.IsHead(httpContext.Request.Method) || status is StatusCodes.Status204NoContent or StatusCodes.Status304NotModified)
            {
                plan.DeclaredResponseLength = 0;
            }
            else if (proxyResponse.Content.Headers.ContentLength is { } length)
            {
                plan.DeclaredResponseLength = length;
            }
            else
            {
                var counter = new CountingStream(httpContext.Response.Body);
                httpContext.Response.Body = counter;
                plan.ResponseCounter = counter;
            }
        }

        return copyBody;
    }

    /// <summary>
    /// With <c>VESPA_ALLOW_ENCODED_SLASHES=true</c>, a path with an encoded separator goes to the
    /// backend exactly as the client sent it. Kestrel has decoded every other escape in
    /// <c>Request.Path</c> and kept <c>%2F</c> as the text "%2F", which YARP would escape again
    /// (<c>%252F</c>), so the backend would see a literal "%2F" instead of the separator the client
    /// encoded. The forms the backend can derive were checked by <see cref="Envelopes.RequestPathPolicy"/>.
    /// </summary>
    private Uri? EncodedPathDestination(HttpContext httpContext, QueryString query)
    {
        if (!_allowEncodedSlashes || !Envelopes.RequestPathPolicy.HasEncodedSeparator(httpContext.Request.Path.Value ?? ""))
        {
            return null;
        }

        var raw = httpContext.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (raw is null || !raw.StartsWith('/') || raw.StartsWith("//", StringComparison.Ordinal))
        {
            return null;
        }

        var end = raw.AsSpan().IndexOfAny('?', '#');
        var path = end >= 0 ? raw[..end] : raw;
        return Uri.TryCreate(_target.Prefix.TrimEnd('/') + path + query.ToUriComponent(), UriKind.Absolute, out var uri) ? uri : null;
    }

    private static void RemoveClientForwardingHeaders(HttpRequestMessage proxyRequest)
    {
        List<string>? names = null;
        foreach (var header in proxyRequest.Headers)
        {
            if (header.Key.StartsWith("X-Forwarded-", StringComparison.OrdinalIgnoreCase))
            {
                (names ??= []).Add(header.Key);
            }
        }

        if (names is not null)
        {
            foreach (var name in names)
            {
                proxyRequest.Headers.Remove(name);
            }
        }
    }

    private static void AddForwardingHeaders(HttpContext httpContext, HttpRequestMessage proxyRequest)
    {
        if (httpContext.Connection.RemoteIpAddress is { } remote)
        {
            var address = remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote;
            proxyRequest.Headers.TryAddWithoutValidation(ForwardedForHeader, address.ToString());
        }

        proxyRequest.Headers.TryAddWithoutValidation(ForwardedProtoHeader, httpContext.Request.Scheme);
        if (httpContext.Request.Host.HasValue)
        {
            proxyRequest.Headers.TryAddWithoutValidation(ForwardedHostHeader, httpContext.Request.Host.Value);
        }
    }
}
