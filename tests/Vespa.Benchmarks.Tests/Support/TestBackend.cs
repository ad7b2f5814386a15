using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Vespa.Testing;

namespace Vespa.Benchmarks.Tests.Support;

/// <summary>
/// A loopback backend for benchmark tests: records every request, tracks how many are in flight
/// at once, and answers through the test's handler.
/// </summary>
internal sealed class TestBackend : IAsyncDisposable
{
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private LoopbackServer? _server;
    private int _inFlight;
    private int _maxInFlight;

    private TestBackend()
    {
    }

    public Uri BaseUrl => _server!.BaseUrl;

    public IReadOnlyCollection<RecordedRequest> Requests => _requests;

    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    public IEnumerable<RecordedRequest> RequestsTo(string path) => _requests.Where(r => r.Path == path);

    public static async Task<TestBackend> StartAsync(Func<HttpContext, RecordedRequest, Task> handle)
    {
        var backend = new TestBackend();
        backend._server = await LoopbackServer.StartAsync(app => app.Run(context => backend.HandleAsync(context, handle)));
        return backend;
    }

    /// <summary>A client for this backend; <paramref name="basePath"/> is appended to the base URL as is (no trailing slash added).</summary>
    public HttpClient CreateClient(string basePath = "") =>
        new() { BaseAddress = new Uri(BaseUrl.GetLeftPart(UriPartial.Authority) + basePath) };

    public static Task WriteJsonAsync(HttpContext context, string json, int status = 200)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(json, context.RequestAborted);
    }

    public static JsonElement Json(RecordedRequest request) => JsonDocument.Parse(request.Body).RootElement.Clone();

    public static string Text(RecordedRequest request) => Encoding.UTF8.GetString(request.Body);

    private async Task HandleAsync(HttpContext context, Func<HttpContext, RecordedRequest, Task> handle)
    {
        var inFlight = Interlocked.Increment(ref _inFlight);
        int max;
        while (inFlight > (max = Volatile.Read(ref _maxInFlight)) && Interlocked.CompareExchange(ref _maxInFlight, inFlight, max) != max)
        {
        }

        try
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body, context.RequestAborted);
            var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            var recorded = new RecordedRequest(context.Request.Method, context.Request.Path.Value ?? "", context.Request.QueryString.Value ?? "", headers, body.ToArray());
            _requests.Enqueue(recorded);
            await handle(context, recorded);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
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
