using System.Diagnostics;
using System.Net;
using Vespa.Worker.Options;

namespace Vespa.Worker.Forwarding;

/// <summary>Builds the one pooled <see cref="HttpMessageInvoker"/> used for every forwarded request.</summary>
internal static class BackendInvokerFactory
{
    public static HttpMessageInvoker Create(WorkerOptions options)
    {
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            // Bodies pass through untouched: compressed stays compressed, with its Content-Encoding.
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            ConnectTimeout = options.BackendConnectTimeout,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60),
            EnableMultipleHttp2Connections = true,
            // No W3C trace headers invented by the worker.
            ActivityHeadersPropagator = DistributedContextPropagator.CreateNoOutputPropagator(),
        };

        // HttpMessageInvoker, not HttpClient: HttpClient.SendAsync would buffer and impose a total timeout.
        return new HttpMessageInvoker(handler, disposeHandler: true);
    }
}
