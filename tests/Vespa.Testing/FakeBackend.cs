using System.Collections.Concurrent;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Vespa.Testing;

/// <summary>
/// A loopback inference-server stand-in that records every request and answers by path:
/// <c>/sse</c>, <c>/ndjson</c>, <c>/binary</c> (<c>?size=</c>, <c>&amp;declare_length=1</c> for a Content-Length), <c>/status/{code}</c>, <c>/hang</c>, <c>/slow</c>,
/// <c>/gzip</c>, <c>/break</c>, <c>/health</c>; anything else echoes the request body as JSON.
/// </summary>
public sealed class FakeBackend : IAsyncDisposable
{
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private LoopbackServer? _server;
    private readonly TaskCompletionSource _streamGate = NewSignal();

    private FakeBackend()
    {
    }

    private int _concurrent;
    private int _maxConcurrent;

    public Uri BaseUrl => _server!.BaseUrl;

    /// <summary>When false, <c>/health</c> answers 503 (a backend that is loading or has died).</summary>
    public bool Healthy { get; set; } = true;

    /// <summary>When set, every path but <c>/health</c> answers this status with a JSON error body.</summary>
    public int? ForcedStatus { get; set; }

    /// <summary>The most requests the backend was handling at once.</summary>
    public int MaxConcurrent => Volatile.Read(ref _maxConcurrent);

    public IReadOnlyCollection<RecordedRequest> Requests => _requests;

    /// <summary>Completed when a <c>/hang</c> request sees its client (the worker) go away.</summary>
    public TaskCompletionSource HangCancelled { get; } = NewSignal();

    /// <summary>Completed when a <c>/hang</c> request has arrived.</summary>
    public TaskCompletionSource HangStarted { get; } = NewSignal();

    /// <summary>Completed once a gated <c>/sse</c> stream has written the rest and finished.</summary>
    public TaskCompletionSource StreamFinished { get; } = NewSignal();

    public static async Task<FakeBackend> StartAsync()
    {
        var backend = new FakeBackend();
        backend._server = await LoopbackServer.StartAsync(app => app.Run(backend.HandleAsync));
        return backend;
    }

    /// <summary>Lets a gated <c>/sse?gate=1</c> stream write its remaining chunks.</summary>
    public void ReleaseStream() => _streamGate.TrySetResult();

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private async Task HandleAsync(HttpContext context)
    {
        var now = Interlocked.Increment(ref _concurrent);
        try
        {
            int seen;
            while (now > (seen = Volatile.Read(ref _maxConcurrent)) && Interlocked.CompareExchange(ref _maxConcurrent, now, seen) != seen)
            {
            }

            await HandleCoreAsync(context);
        }
        finally
        {
            Interlocked.Decrement(ref _concurrent);
        }
    }

    private async Task HandleCoreAsync(HttpContext context)
    {
        var request = context.Request;
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body, context.RequestAborted);
        var headers = request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        _requests.Enqueue(new RecordedRequest(request.Method, request.Path.Value ?? "", request.QueryString.Value ?? "", headers, body.ToArray())
        {
            RawTarget = context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()?.RawTarget,
        });

        var path = request.Path.Value ?? "/";
        var response = context.Response;
        var ct = context.RequestAborted;
        if (path != "/health" && ForcedStatus is { } forced)
        {
            response.StatusCode = forced;
            response.ContentType = "application/json";
            await response.WriteAsync($"{{\"forced_error\":{forced}}}", ct);
            return;
        }

        switch (path)
        {
            case "/health":
                response.StatusCode = Healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
                await response.WriteAsync(Healthy ? "ok" : "loading", ct);
                break;
            case "/sse":
                await WriteSseAsync(context, Int(request, "chunks", 5), Int(request, "delay_ms", 0), request.Query["gate"] == "1");
                break;
            case "/ndjson":
                response.ContentType = "application/x-ndjson";
                for (var i = 0; i < Int(request, "lines", 3); i++)
                {
                    await response.WriteAsync($"{{\"line\":{i}}}\n", ct);
                    await response.Body.FlushAsync(ct);
                }

                break;
            case "/binary":
                response.ContentType = "application/octet-stream";
                var pattern = BinaryPattern(Int(request, "size", 1024));
                if (request.Query["declare_length"] == "1")
                {
                    response.ContentLength = pattern.Length;
                }

                await response.Body.WriteAsync(pattern, ct);
                break;
            case "/hang":
                HangStarted.TrySetResult();
                try
                {
                    await Task.Delay(Timeout.Infinite, ct);
                }
                catch (OperationCanceledException)
                {
                    HangCancelled.TrySetResult();
                }

                break;
            case "/slow":
                await Task.Delay(Int(request, "ms", 100), ct);
                await response.WriteAsync("slow done", ct);
                break;
            case "/gzip":
                var compressed = Gzip("compressed payload that must arrive still compressed");
                response.Headers.ContentEncoding = "gzip";
                response.ContentType = "text/plain";
                await response.Body.WriteAsync(compressed, ct);
                break;
            case "/break":
                response.ContentType = "text/event-stream";
                await response.WriteAsync("data: partial\n\n", ct);
                await response.Body.FlushAsync(ct);
                await Task.Delay(50, ct);
                context.Abort();
                break;
            default:
                if (path.StartsWith("/status/", StringComparison.Ordinal))
                {
                    response.StatusCode = int.Parse(path["/status/".Length..], CultureInfo.InvariantCulture);
                    response.ContentType = "application/json";
                    response.Headers["X-Backend"] = "yes";
                    await response.WriteAsync($"{{\"backend_error\":{response.StatusCode}}}", ct);
                    break;
                }

                response.ContentType = request.ContentType ?? "application/octet-stream";
                response.Headers["X-Echo-Method"] = request.Method;
                response.Headers["X-Echo-Path"] = path;
                response.Headers["X-Echo-Query"] = request.QueryString.Value ?? "";
                if (!HttpMethods.IsHead(request.Method))
                {
                    await response.Body.WriteAsync(body.ToArray(), ct);
                }

                break;
        }
    }

    private async Task WriteSseAsync(HttpContext context, int chunks, int delayMs, bool gated)
    {
        var response = context.Response;
        var ct = context.RequestAborted;
        response.ContentType = "text/event-stream";
        for (var i = 0; i < chunks; i++)
        {
            await response.WriteAsync($"data: chunk {i}\n\n", ct);
            await response.Body.FlushAsync(ct);
            if (i == 0 && gated)
            {
                await _streamGate.Task.WaitAsync(TaskTimeoutExtensions.Timeout, ct);
            }
            else if (delayMs > 0)
            {
                await Task.Delay(delayMs, ct);
            }
        }

        await response.WriteAsync("data: [DONE]\n\n", ct);
        StreamFinished.TrySetResult();
    }

    public static byte[] BinaryPattern(int size)
    {
        var bytes = new byte[size];
        for (var i = 0; i < size; i++)
        {
            bytes[i] = (byte)(i * 31 % 256);
        }

        return bytes;
    }

    public static byte[] Gzip(string text)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(Encoding.UTF8.GetBytes(text));
        }

        return output.ToArray();
    }

    private static int Int(HttpRequest request, string name, int fallback) =>
        int.TryParse(request.Query[name], NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : fallback;

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
