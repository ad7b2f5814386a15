using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Vespa.Testing;

namespace Vespa.Client.Tests.Infrastructure;

/// <summary>
/// A loopback inference server behind a real worker: <c>/health</c>; <c>POST /v1/chat/completions</c> answering in
/// OpenAI's shape (JSON, or SSE chunks with <c>"stream": true</c>) with the last user message reversed word by word;
/// anything else echoes the body with its content type. Records every request.
/// </summary>
internal sealed class OpenAiBackend : IAsyncDisposable
{
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private LoopbackServer _server = null!;

    public Uri BaseUrl => _server.BaseUrl;

    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    public static async Task<OpenAiBackend> StartAsync()
    {
        var backend = new OpenAiBackend();
        backend._server = await LoopbackServer.StartAsync(app => app.Run(backend.HandleAsync));
        return backend;
    }

    /// <summary>The answer's words for a prompt.</summary>
    public static string[] Words(string prompt) => [.. prompt.Split(' ', StringSplitOptions.RemoveEmptyEntries).Reverse()];

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, context.RequestAborted);
        var body = buffer.ToArray();
        var headers = request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        _requests.Enqueue(new RecordedRequest(request.Method, request.Path.Value ?? "", request.QueryString.Value ?? "", headers, body));
        var response = context.Response;
        switch (request.Path.Value)
        {
            case "/health":
                await response.WriteAsync("ok");
                return;
            case "/v1/chat/completions":
                await ChatAsync(context, body);
                return;
            default:
                response.ContentType = request.ContentType ?? "application/octet-stream";
                response.Headers["X-Echo-Query"] = request.QueryString.Value ?? "";
                await response.Body.WriteAsync(body);
                return;
        }
    }

    private static async Task ChatAsync(HttpContext context, byte[] body)
    {
        using var document = JsonDocument.Parse(body);
        var root = document.RootElement;
        var prompt = root.GetProperty("messages").EnumerateArray().Last().GetProperty("content").GetString() ?? "";
        var stream = root.TryGetProperty("stream", out var s) && s.ValueKind == JsonValueKind.True;
        var words = Words(prompt);
        var response = context.Response;
        if (!stream)
        {
            response.ContentType = "application/json";
            await response.WriteAsync(JsonSerializer.Serialize(new
            {
                id = "chatcmpl-1",
                @object = "chat.completion",
                created = 1,
                model = "test",
                choices = new[] { new { index = 0, message = new { role = "assistant", content = string.Join(' ', words) }, finish_reason = "stop" } },
                usage = new { prompt_tokens = 1, completion_tokens = words.Length, total_tokens = words.Length + 1 },
            }));
            return;
        }

        response.ContentType = "text/event-stream";
        for (var i = 0; i < words.Length; i++)
        {
            var chunk = JsonSerializer.Serialize(new
            {
                id = "chatcmpl-1",
                @object = "chat.completion.chunk",
                created = 1,
                model = "test",
                choices = new[] { new { index = 0, delta = new { content = (i == 0 ? "" : " ") + words[i] }, finish_reason = (string?)null } },
            });
            await response.WriteAsync("data: " + chunk + "\n\n");
            await response.Body.FlushAsync();
        }

        await response.WriteAsync("data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"test\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n");
        await response.WriteAsync("data: [DONE]\n\n");
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
