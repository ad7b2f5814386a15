using System.Diagnostics;
using System.Net;
using Vespa.Client.Configuration;

namespace Vespa.Client.Http;

/// <summary>
/// The one connection pool of a client run: a <see cref="SocketsHttpHandler"/> shared by console, autoscaler and worker
/// calls, wrapped in an <see cref="HttpMessageInvoker"/> (never <see cref="HttpClient"/>, which would buffer answers
/// and add its own 100 s total timeout).
/// </summary>
internal static class ClientHttp
{
    public static HttpMessageInvoker CreateInvoker(ClientSettings settings, VastCertificateValidator validator)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(validator);
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            // Bodies pass through as sent: the proxy relays Content-Encoding unchanged.
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            ConnectTimeout = settings.ConnectTimeout,
            MaxConnectionsPerServer = settings.MaxConnectionsPerHost,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60),
            // No W3C trace headers invented by the client.
            ActivityHeadersPropagator = DistributedContextPropagator.CreateNoOutputPropagator(),
        };
        handler.SslOptions.RemoteCertificateValidationCallback = validator.Validate;
        return new HttpMessageInvoker(handler, disposeHandler: true);
    }
}
