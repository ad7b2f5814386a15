using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Vespa.Testing;

namespace Vespa.Worker.Tests.Faults;

/// <summary>
/// A loopback backend whose <c>/big?mib=N</c> answer is N MiB of <see cref="FakeBackend.BinaryPattern"/> written in
/// 64 KiB pieces, counting what each write handed on: how far a slow reader lets the backend get shows how much
/// the path between them buffers. <c>/health</c> answers ok; anything else echoes the body.
/// </summary>
internal sealed class BigResponseBackend : IAsyncDisposable
{
    public const int Piece = 64 * 1024;

    private static readonly byte[] Pattern = FakeBackend.BinaryPattern(Piece);

    private LoopbackServer? _server;
    private long _written;

    public Uri BaseUrl => _server!.BaseUrl;

    /// <summary>Bytes of <c>/big</c> answers the backend has handed to its socket so far.</summary>
    public long Written => Interlocked.Read(ref _written);

    /// <summary>Completes when a <c>/big</c> answer was written to its end.</summary>
    public TaskCompletionSource Finished { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static async Task<BigResponseBackend> StartAsync()
    {
        var backend = new BigResponseBackend();
        backend._server = await LoopbackServer.StartAsync(app => app.Run(backend.HandleAsync));
        return backend;
    }

    /// <summary>The byte at <paramref name="position"/> of a <c>/big</c> answer (the pattern repeats every 256 bytes).</summary>
    public static byte At(long position) => Pattern[position % 256];

    private async Task HandleAsync(HttpContext context)
    {
        var ct = context.RequestAborted;
        switch (context.Request.Path.Value)
        {
            case "/health":
                await context.Response.WriteAsync("ok", ct);
                return;
            case "/big":
                var mib = int.Parse(context.Request.Query["mib"].ToString(), System.Globalization.CultureInfo.InvariantCulture);
                context.Response.ContentType = "application/octet-stream";
                context.Response.ContentLength = (long)mib * 1024 * 1024;
                for (var i = 0; i < mib * 16; i++)
                {
                    await context.Response.Body.WriteAsync(Pattern, ct);
                    Interlocked.Add(ref _written, Piece);
                }

                Finished.TrySetResult();
                return;
            default:
                using (var body = new MemoryStream())
                {
                    await context.Request.Body.CopyToAsync(body, ct);
                    context.Response.ContentType = "application/json";
                    await context.Response.Body.WriteAsync(body.ToArray(), ct);
                }

                return;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
