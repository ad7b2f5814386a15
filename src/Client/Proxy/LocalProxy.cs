using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Vespa.Client.Configuration;
using Vespa.Client.Requests;
using Yarp.ReverseProxy.Forwarder;

namespace Vespa.Client.Proxy;

/// <summary>
/// The local HTTP proxy (<c>vespa-client proxy</c>): Kestrel on a loopback port; any SDK uses it as its base URL and
/// every request goes to the endpoint's workers (vast-protocol.md §7.6, with WAITING handled, retries, and nothing
/// buffered on the way back).
/// </summary>
internal sealed class LocalProxy : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LocalProxy(WebApplication app, Uri baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    /// <summary>Where the proxy listens, e.g. <c>http://127.0.0.1:8010</c>.</summary>
    public Uri BaseUrl { get; }

    /// <exception cref="IOException">The address cannot be bound.</exception>
    public static async Task<LocalProxy> StartAsync(IPAddress address, int port, EndpointCaller caller, ClientRuntime runtime, double defaultCost, CliConsole console, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddHttpForwarder();
        builder.Services.AddSingleton(runtime.Time);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(address, port);
            kestrel.AddServerHeader = false;
            // The body is kept for retries, so it is bounded; answers stream, and a slow token stream must not be cut.
            kestrel.Limits.MaxRequestBodySize = ClientDefaults.MaxProxyBodyBytes;
            kestrel.Limits.MinResponseDataRate = null;
        });
        var app = builder.Build();
        var handler = new ProxyRequestHandler(caller, runtime, app.Services.GetRequiredService<IHttpForwarder>(), defaultCost, console);
        app.Run(handler.HandleAsync);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        var bound = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        var host = address.Equals(IPAddress.Any) ? "127.0.0.1" : address.Equals(IPAddress.IPv6Any) ? "[::1]" : bound.Host;
        return new LocalProxy(app, new Uri($"{bound.Scheme}://{host}:{bound.Port}"));
    }

    public async ValueTask DisposeAsync()
    {
        using var stopTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(stopTimeout.Token).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
