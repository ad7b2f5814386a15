using Microsoft.AspNetCore.Http;
using Vespa.Client.Http;
using Vespa.Client.Requests;
using Vespa.Client.Resilience;
using Yarp.ReverseProxy.Forwarder;

namespace Vespa.Client.Proxy;

/// <summary>
/// YARP transformer for the proxy's hop to the worker. Requests: YARP copies the caller's headers (minus hop-by-hop
/// ones); this drops the caller's credentials, the cost header, the Host, and any auth data of theirs, points the
/// request at the routed worker with our query, and adds <c>X-Vespa-Auth-Data</c> for the header form. The body was
/// installed beforehand (<see cref="ProxyRequestHandler"/>): YARP does not let a transformer replace the content.
/// Responses: a retryable answer (408/429/5xx) is kept instead of relayed while a retry is allowed; anything else is
/// relayed as it comes, unbuffered.
/// </summary>
internal sealed class WorkerTransformer(TimeProvider time) : HttpTransformer
{
    /// <summary>How much of a held-back error answer is kept.</summary>
    private const int MaxCapturedBody = 64 * 1024;

    /// <summary>Never sent to a worker: the caller's credentials (an SDK's own API key), our cost header, the
    /// caller's Host (the worker gets its own), and auth data we did not put there.</summary>
    private static readonly string[] StrippedRequestHeaders =
    [
        "Authorization",
        "Proxy-Authorization",
        "Host",
        VespaHeaders.Cost,
        VespaHeaders.AuthData,
    ];

    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        ArgumentNullException.ThrowIfNull(proxyRequest);
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken).ConfigureAwait(false);
        foreach (var header in StrippedRequestHeaders)
        {
            proxyRequest.Headers.Remove(header);
        }

        var attempt = httpContext.Features.Get<ProxyAttempt>() ?? throw new InvalidOperationException("No forwarding attempt on this request.");
        proxyRequest.RequestUri = attempt.Destination;
        if (attempt.Form == RequestForm.Header)
        {
            proxyRequest.Headers.TryAddWithoutValidation(VespaHeaders.AuthData, attempt.AuthHeader);
        }
    }

    public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        if (proxyResponse is null)
        {
            return await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken).ConfigureAwait(false);
        }

        var attempt = httpContext.Features.Get<ProxyAttempt>()!;
        var status = (int)proxyResponse.StatusCode;
        if (status is 408 or 429 or >= 500 && attempt.MayRetry)
        {
            attempt.RetryAfter = RetryAfter.From(proxyResponse, time);
            attempt.Captured = new CapturedResponse(status, proxyResponse.Content.Headers.ContentType?.ToString(), await ReadCappedAsync(proxyResponse.Content, cancellationToken).ConfigureAwait(false));
            // YARP has set the status already; nothing was sent, so the next attempt starts clean.
            httpContext.Response.Clear();
            return false;
        }

        attempt.Start();
        return await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<byte[]> ReadCappedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        try
        {
            var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                var buffer = new byte[MaxCapturedBody];
                var total = 0;
                int read;
                while (total < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken).ConfigureAwait(false)) > 0)
                {
                    total += read;
                }

                return buffer[..total];
            }
        }
        catch (Exception e) when (e is IOException or HttpRequestException or OperationCanceledException)
        {
            // The error answer itself broke: its status is what matters.
            return [];
        }
    }
}
