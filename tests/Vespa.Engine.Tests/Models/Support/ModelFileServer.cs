using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Vespa.Testing;

namespace Vespa.Engine.Tests.Models.Support;

/// <summary>
/// A loopback file server for download tests: serves <see cref="Content"/> at any path, honours
/// <c>Range: bytes=N-</c> (206, or 416 past the end) unless <see cref="SupportsRange"/> is off,
/// writes in flushed chunks, records every request, and lets a test take over chosen requests.
/// </summary>
internal sealed class ModelFileServer : IAsyncDisposable
{
    private readonly ConcurrentQueue<ServedRequest> _requests = new();
    private LoopbackServer? _server;
    private int _count;

    private ModelFileServer(byte[] content)
    {
        Content = content;
    }

    public byte[] Content { get; set; }

    public bool SupportsRange { get; set; } = true;

    public int ChunkSize { get; set; } = 16 * 1024;

    /// <summary>A pause after each chunk of a normal answer, so that the client reads it chunk by chunk.</summary>
    public TimeSpan ChunkDelay { get; set; }

    /// <summary>Called first for every request with its 1-based number; returns true when it answered the request itself.</summary>
    public Func<HttpContext, int, Task<bool>>? Behaviour { get; set; }

    public int RequestCount => Volatile.Read(ref _count);

    public IReadOnlyCollection<ServedRequest> Requests => _requests;

    public static async Task<ModelFileServer> StartAsync(byte[] content)
    {
        var server = new ModelFileServer(content);
        server._server = await LoopbackServer.StartAsync(app => app.Run(server.HandleAsync));
        return server;
    }

    public Uri Url(string pathAndQuery = "/models/tiny.gguf") => new(_server!.BaseUrl, pathAndQuery);

    /// <summary>Writes <paramref name="data"/> in flushed chunks of <paramref name="chunkSize"/> bytes.</summary>
    public static async Task WriteChunkedAsync(HttpContext context, ReadOnlyMemory<byte> data, int chunkSize, TimeSpan delay = default)
    {
        for (var offset = 0; offset < data.Length; offset += chunkSize)
        {
            await context.Response.Body.WriteAsync(data.Slice(offset, Math.Min(chunkSize, data.Length - offset)), context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, context.RequestAborted);
            }
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        var number = Interlocked.Increment(ref _count);
        var range = context.Request.Headers.Range.ToString();
        _requests.Enqueue(new ServedRequest(number, context.Request.Path + context.Request.QueryString, range.Length == 0 ? null : range));
        if (Behaviour is { } behaviour && await behaviour(context, number))
        {
            return;
        }

        var content = Content;
        var response = context.Response;
        response.ContentType = "application/octet-stream";
        if (SupportsRange && TryParseStart(range, out var start))
        {
            if (start >= content.Length)
            {
                response.StatusCode = StatusCodes.Status416RangeNotSatisfiable;
                response.Headers.ContentRange = $"bytes */{content.Length}";
                return;
            }

            response.StatusCode = StatusCodes.Status206PartialContent;
            response.Headers.ContentRange = $"bytes {start}-{content.Length - 1}/{content.Length}";
            response.ContentLength = content.Length - start;
            await WriteChunkedAsync(context, content.AsMemory((int)start), ChunkSize, ChunkDelay);
            return;
        }

        response.ContentLength = content.Length;
        await WriteChunkedAsync(context, content, ChunkSize, ChunkDelay);
    }

    private static bool TryParseStart(string range, out long start)
    {
        start = 0;
        return range.StartsWith("bytes=", StringComparison.Ordinal)
            && range.EndsWith('-')
            && long.TryParse(range["bytes=".Length..^1], NumberStyles.None, CultureInfo.InvariantCulture, out start);
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    internal sealed record ServedRequest(int Number, string PathAndQuery, string? Range);
}
