using Yarp.ReverseProxy.Forwarder;

namespace Vespa.Worker.Forwarding;

/// <summary>
/// YARP transformer for the hop to the backend: YARP copies the headers (minus hop-by-hop ones),
/// then this strips the envelope from the query and
/// the client's credentials from the headers, and pins the destination to the backend. The
/// unwrapped payload is installed as the request body beforehand (<see cref="BackendForwarder"/>):
/// YARP does not allow a transformer to replace its outgoing content.
/// </summary>
internal sealed class EnvelopeTransformer : HttpTransformer
{
    /// <summary>Request headers that carry the caller's credentials or our envelope; never forwarded.</summary>
    private static readonly string[] StrippedRequestHeaders =
    [
        VespaHeaderNames.AuthData,
        "Authorization",
        "Proxy-Authorization",
    ];

    private readonly BackendTarget _target;

    public EnvelopeTransformer(BackendTarget target)
    {
        _target = target;
    }

    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);

        foreach (var header in StrippedRequestHeaders)
        {
            proxyRequest.Headers.Remove(header);
        }

        var query = httpContext.Features.Get<ForwardingPlan>()?.Query ?? QueryStringFilter.Filter(httpContext.Request.QueryString);
        var destination = RequestUtilities.MakeDestinationAddress(_target.Prefix, httpContext.Request.Path, query);
        if (!_target.IsSameOrigin(destination))
        {
            // Unreachable with YARP's prefix + path construction, but the guarantee is worth a check.
            throw new InvalidOperationException("The forwarded URL does not point at the configured backend.");
        }

        proxyRequest.RequestUri = destination;
    }
}
