using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Vespa.Testing;

/// <summary>
/// A loopback <c>/pubkey/</c> endpoint serving a fixed key, optionally failing its first requests,
/// for the worker's key-loading tests.
/// </summary>
public sealed class PublicKeyServer : IAsyncDisposable
{
    private readonly LoopbackServer _server;
    private int _hits;

    private PublicKeyServer(LoopbackServer server)
    {
        _server = server;
    }

    public Uri BaseUrl => _server.BaseUrl;

    public int Hits => Volatile.Read(ref _hits);

    public static async Task<PublicKeyServer> StartAsync(string publicKeyPem, int failFirst = 0)
    {
        PublicKeyServer? self = null;
        var server = await LoopbackServer.StartAsync(app => app.MapGet("/pubkey/", (HttpContext context) =>
        {
            var hit = Interlocked.Increment(ref self!._hits);
            return hit <= failFirst ? Results.StatusCode(500) : Results.Text(publicKeyPem, "text/plain");
        }));
        self = new PublicKeyServer(server);
        return self;
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
