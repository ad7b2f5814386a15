using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Vespa.Client.Tests.Infrastructure;

/// <summary>Answers for <see cref="ScriptedWorker"/>.</summary>
internal static class WorkerResponses
{
    /// <summary>200 <c>{"method", "path", "query", "payload"}</c>, the payload being the envelope's when there is one.</summary>
    public static async Task Describe(HttpContext context)
    {
        var body = (byte[])context.Items["body"]!;
        var payload = "null";
        if (body.Length > 0 && body[0] == (byte)'{')
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.TryGetProperty("payload", out var p))
            {
                payload = p.GetRawText();
            }
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(
            $$"""{"method": {{JsonSerializer.Serialize(context.Request.Method)}}, "path": {{JsonSerializer.Serialize(context.Request.Path.Value)}}, "payload": {{payload}}}""");
    }

    public static Func<HttpContext, Task> Json(string json, int status = 200) => async context =>
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(json);
    };

    public static Func<HttpContext, Task> Status(int status, string? retryAfter = null) => async context =>
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        if (retryAfter is not null)
        {
            context.Response.Headers.RetryAfter = retryAfter;
        }

        await context.Response.WriteAsync($$"""{"error": "scripted {{status}}"}""");
    };

    /// <summary>SSE: one <c>data:</c> event per item, then <c>data: [DONE]</c>.</summary>
    public static Func<HttpContext, Task> Sse(params string[] events) => async context =>
    {
        context.Response.ContentType = "text/event-stream";
        foreach (var data in events)
        {
            await context.Response.WriteAsync("data: " + data + "\n\n");
            await context.Response.Body.FlushAsync();
        }

        await context.Response.WriteAsync("data: [DONE]\n\n");
    };

    /// <summary>OpenAI chat chunks carrying <paramref name="tokens"/>, as SSE.</summary>
    public static Func<HttpContext, Task> ChatStream(params string[] tokens) =>
        Sse([
            """{"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant"}}]}""",
            .. tokens.Select(t => $$$"""{"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":{{{JsonSerializer.Serialize(t)}}}}}]}"""),
            """{"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}""",
        ]);

    /// <summary>SSE that sends <paramref name="events"/>, then breaks the connection.</summary>
    public static Func<HttpContext, Task> SseThenAbort(params string[] events) => async context =>
    {
        context.Response.ContentType = "text/event-stream";
        foreach (var data in events)
        {
            await context.Response.WriteAsync("data: " + data + "\n\n");
            await context.Response.Body.FlushAsync();
        }

        await Task.Delay(50);
        context.Abort();
    };

    /// <summary>Sends the headers, then breaks the connection before any body byte.</summary>
    public static async Task HeadersThenAbort(HttpContext context)
    {
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = 100;
        await context.Response.StartAsync();
        await context.Response.Body.FlushAsync();
        await Task.Delay(50);
        context.Abort();
    }

    /// <summary>Never answers (until the client leaves).</summary>
    public static async Task Hang(HttpContext context)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            // The client gave up.
        }
    }

    /// <summary>Bytes as they are.</summary>
    public static Func<HttpContext, Task> Bytes(byte[] bytes, string contentType) => async context =>
    {
        context.Response.ContentType = contentType;
        await context.Response.Body.WriteAsync(bytes);
    };

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
