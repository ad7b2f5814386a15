using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Vespa.Worker.Demo;

/// <summary>
/// A small OpenAI-style echo server on a loopback port, started in-process when no
/// <c>VESPA_BACKEND_URL</c> is set, so the quick start runs the real proxy path with nothing
/// else installed. It echoes the last message back (word by word with <c>stream: true</c>);
/// it is a demonstration backend, not a model. The embedded llama.cpp engine replaces it.
/// </summary>
internal sealed class DemoBackend : IAsyncDisposable
{
    public const string ModelId = "vespa-demo-echo";

    private readonly WebApplication _app;

    private DemoBackend(WebApplication app, Uri baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    public Uri BaseUrl { get; }

    public static async Task<DemoBackend> StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0));
        var app = builder.Build();

        app.MapGet("/health", () => Results.Json(new Dictionary<string, string> { ["status"] = "ok" }, DemoJsonContext.Default.DictionaryStringString));
        app.MapGet("/v1/models", () => Results.Text($$"""{"object":"list","data":[{"id":"{{ModelId}}","object":"model","owned_by":"vespa"}]}""", "application/json"));
        app.MapPost("/v1/chat/completions", context => CompleteAsync(context, chat: true));
        app.MapPost("/v1/completions", context => CompleteAsync(context, chat: false));

        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new DemoBackend(app, new Uri(address));
    }

    private static async Task CompleteAsync(HttpContext context, bool chat)
    {
        JsonDocument request;
        try
        {
            request = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        }
        catch (JsonException)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync("""{"error":{"message":"request body is not valid JSON","type":"invalid_request_error"}}""", context.RequestAborted);
            return;
        }

        using (request)
        {
            var root = request.RootElement;
            var text = "You said: " + (chat ? LastMessage(root) : Prompt(root));
            var stream = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("stream", out var s) && s.ValueKind == JsonValueKind.True;
            var id = "demo-" + Guid.NewGuid().ToString("N")[..12];
            var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            var kind = chat ? "chat.completion" : "text_completion";
            if (!stream)
            {
                var choice = chat
                    ? $$"""{"index":0,"message":{"role":"assistant","content":{{Quote(text)}}},"finish_reason":"stop"}"""
                    : $$"""{"index":0,"text":{{Quote(text)}},"finish_reason":"stop"}""";
                var words = text.Split(' ').Length;
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync(
                    $$"""{"id":"{{id}}","object":"{{kind}}","created":{{created}},"model":"{{ModelId}}","choices":[{{choice}}],"usage":{"prompt_tokens":{{words}},"completion_tokens":{{words}},"total_tokens":{{2 * words}}""" + "}}",
                    context.RequestAborted);
                return;
            }

            context.Response.ContentType = "text/event-stream";
            context.Response.Headers.CacheControl = "no-cache";
            var pieces = text.Split(' ');
            for (var i = 0; i < pieces.Length; i++)
            {
                var piece = (i == 0 ? "" : " ") + pieces[i];
                var delta = chat ? $$"""{"index":0,"delta":{"content":{{Quote(piece)}}},"finish_reason":null}""" : $$"""{"index":0,"text":{{Quote(piece)}},"finish_reason":null}""";
                await context.Response.WriteAsync($$"""data: {"id":"{{id}}","object":"{{kind}}.chunk","created":{{created}},"model":"{{ModelId}}","choices":[{{delta}}]}""" + "\n\n", context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
                await Task.Delay(TimeSpan.FromMilliseconds(40), context.RequestAborted);
            }

            var done = chat ? """{"index":0,"delta":{},"finish_reason":"stop"}""" : """{"index":0,"text":"","finish_reason":"stop"}""";
            await context.Response.WriteAsync($$"""data: {"id":"{{id}}","object":"{{kind}}.chunk","created":{{created}},"model":"{{ModelId}}","choices":[{{done}}]}""" + "\n\ndata: [DONE]\n\n", context.RequestAborted);
        }
    }

    private static string LastMessage(JsonElement root)
    {
        if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("messages", out var messages) && messages.ValueKind == JsonValueKind.Array)
        {
            var last = "";
            foreach (var message in messages.EnumerateArray())
            {
                if (message.ValueKind == JsonValueKind.Object && message.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String)
                {
                    last = content.GetString() ?? "";
                }
            }

            return last;
        }

        return "";
    }

    private static string Prompt(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty("prompt", out var prompt) && prompt.ValueKind == JsonValueKind.String
            ? prompt.GetString() ?? ""
            : "";

    private static string Quote(string text) => JsonSerializer.Serialize(text, DemoJsonContext.Default.String);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }

    public override string ToString() => BaseUrl.ToString().ToString(CultureInfo.InvariantCulture);
}
