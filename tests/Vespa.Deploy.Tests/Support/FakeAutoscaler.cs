using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Vespa.Testing;

namespace Vespa.Deploy.Tests.Support;

/// <summary>A loopback autoscaler that records every <c>/worker_status/</c> body exactly as received.</summary>
internal sealed class FakeAutoscaler : IAsyncDisposable
{
    private readonly LoopbackServer _server;
    private readonly ConcurrentQueue<string> _statusBodies = new();

    private FakeAutoscaler(LoopbackServer server)
    {
        _server = server;
    }

    public Uri BaseUrl => _server.BaseUrl;

    /// <summary>The bodies posted to <c>/worker_status/</c>, in arrival order.</summary>
    public IReadOnlyList<string> StatusBodies => [.. _statusBodies];

    public static async Task<FakeAutoscaler> StartAsync()
    {
        FakeAutoscaler? fake = null;
        var server = await LoopbackServer.StartAsync(app =>
        {
            app.MapPost("/worker_status/", async (HttpContext context) =>
            {
                using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
                fake!._statusBodies.Enqueue(await reader.ReadToEndAsync(context.RequestAborted));
                return Results.Ok();
            });
            // The worker's public-key fetch; nothing here signs requests.
            app.MapGet("/pubkey/", () => Results.NotFound());
        });
        fake = new FakeAutoscaler(server);
        return fake;
    }

    /// <summary>Parses every status body; a body that is not JSON fails the test here.</summary>
    public IReadOnlyList<JsonDocument> ParsedStatuses() => [.. StatusBodies.Select(body => JsonDocument.Parse(body))];

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
