using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Vespa.Engine.Scheduling;

namespace Vespa.Engine.Api;

/// <summary>
/// The OpenAI-compatible API of the embedded engine: <c>GET /health</c>, <c>GET /v1/models</c>,
/// <c>POST /v1/chat/completions</c>, <c>POST /v1/completions</c> (JSON, or SSE with
/// <c>stream: true</c> ending in <c>data: [DONE]</c>). A client that disconnects cancels its
/// generation, which frees the sequence at the next decode step.
/// </summary>
internal sealed class OpenAiEndpoints
{
    private static readonly byte[] DataPrefix = "data: "u8.ToArray();
    private static readonly byte[] EventEnd = "\n\n"u8.ToArray();
    private static readonly byte[] Done = "data: [DONE]\n\n"u8.ToArray();

    private readonly EngineServer _server;
    private readonly TimeProvider _time;

    public OpenAiEndpoints(EngineServer server, TimeProvider time)
    {
        _server = server;
        _time = time;
    }

    public void Map(WebApplication app)
    {
        app.MapGet("/health", HealthAsync);
        app.MapGet("/v1/models", ModelsAsync);
        app.MapPost("/v1/chat/completions", context => CompleteAsync(context, chat: true));
        app.MapPost("/v1/completions", context => CompleteAsync(context, chat: false));
        app.MapFallback(context => new OpenAiError(StatusCodes.Status404NotFound, $"Unknown endpoint {context.Request.Method} {context.Request.Path}: this engine serves /v1/models, /v1/chat/completions, /v1/completions and /health.", Type: "not_found_error").WriteAsync(context));
    }

    private async Task HealthAsync(HttpContext context)
    {
        var engine = _server.Engine;
        var error = _server.LoadError ?? engine?.Scheduler.FailureReason;
        var ready = engine is not null && error is null;
        context.Response.StatusCode = ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
        await WriteJsonAsync(context, json =>
        {
            json.WriteStartObject();
            json.WriteString("status", ready ? "ok" : error is null ? "loading" : "error");
            if (error is not null)
            {
                json.WriteString("error", error);
            }

            json.WriteEndObject();
        });
    }

    private async Task ModelsAsync(HttpContext context)
    {
        if (_server.Engine is not { } engine)
        {
            await NotReady().WriteAsync(context);
            return;
        }

        await WriteJsonAsync(context, json =>
        {
            json.WriteStartObject();
            json.WriteString("object", "list");
            json.WriteStartArray("data");
            json.WriteStartObject();
            json.WriteString("id", engine.ModelId);
            json.WriteString("object", "model");
            json.WriteNumber("created", _server.LoadedAt);
            json.WriteString("owned_by", "vespa");
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
        });
    }

    private async Task CompleteAsync(HttpContext context, bool chat)
    {
        if (_server.Engine is not { } engine)
        {
            await NotReady().WriteAsync(context);
            return;
        }

        // Step 1: read and validate (400 with the parameter's name on any mistake).
        var body = await ReadBodyAsync(context.Request.BodyReader, context.RequestAborted);
        var (request, error) = CompletionRequestParser.Parse(body, chat);
        if (error is not null)
        {
            await error.WriteAsync(context);
            return;
        }

        // Step 2: prompt tokens; they must leave room for at least one generated token.
        var prompt = chat ? engine.FormatChat(request!.Messages!) : request!.Prompt!;
        var tokens = engine.Tokenize(prompt);
        if (tokens.Length == 0)
        {
            await OpenAiError.Invalid(chat ? "messages" : "prompt", "The prompt is empty.").WriteAsync(context);
            return;
        }

        if (tokens.Length >= engine.ContextSize)
        {
            await new OpenAiError(400, $"The prompt is {tokens.Length} tokens; a request's context holds {engine.ContextSize} (VESPA_CONTEXT_SIZE shared by VESPA_PARALLEL sequences).", chat ? "messages" : "prompt", Code: "context_length_exceeded").WriteAsync(context);
            return;
        }

        var maxTokens = Math.Min(request.MaxTokens ?? int.MaxValue, engine.ContextSize - tokens.Length);
        GenerationRequest generation;
        try
        {
            generation = engine.Scheduler.Submit(tokens, request.Sampling, maxTokens, request.Stop, request.IgnoreEos, context.RequestAborted);
        }
        catch (EngineUnavailableException ex)
        {
            await Unavailable(ex.Message).WriteAsync(context);
            return;
        }
        var id = (chat ? "chatcmpl-" : "cmpl-") + Guid.NewGuid().ToString("N")[..24];
        var created = _time.GetUtcNow().ToUnixTimeSeconds();

        // Step 3: relay the generation.
        if (request.Stream)
        {
            await StreamAsync(context, chat, engine.ModelId, id, created, request.IncludeUsage, generation);
        }
        else
        {
            await RespondAsync(context, chat, engine.ModelId, id, created, generation);
        }
    }

    private static async Task RespondAsync(HttpContext context, bool chat, string model, string id, long created, GenerationRequest generation)
    {
        var text = new StringBuilder();
        await foreach (var item in generation.Output.ReadAllAsync(CancellationToken.None))
        {
            text.Append(item.Text);
            if (item.Finish is not { } finish)
            {
                continue;
            }

            if (finish == FinishReason.Cancelled)
            {
                return; // the client is gone
            }

            if (finish == FinishReason.Unavailable)
            {
                await Unavailable(item.Error).WriteAsync(context);
                return;
            }

            if (finish == FinishReason.Error)
            {
                await new OpenAiError(StatusCodes.Status500InternalServerError, "Generation failed in llama.cpp (see the worker log).", Type: "server_error").WriteAsync(context);
                return;
            }

            await WriteJsonAsync(context, json => OpenAiResponses.WriteCompletion(json, chat, id, created, model, text.ToString(), finish, item.PromptTokens, item.CompletionTokens));
            return;
        }
    }

    private static async Task StreamAsync(HttpContext context, bool chat, string model, string id, long created, bool includeUsage, GenerationRequest generation)
    {
        var output = generation.Output;

        // Nothing is sent before the first event: a generation that cannot start (the inference loop died, a decode
        // failed) still gets a proper status and error body. The role chunk goes out with the first token.
        if (!await output.WaitToReadAsync(CancellationToken.None) || !output.TryRead(out var item))
        {
            context.Abort();
            return;
        }

        if (item.Finish is FinishReason.Unavailable)
        {
            await Unavailable(item.Error).WriteAsync(context);
            return;
        }

        if (item.Finish is FinishReason.Error)
        {
            await new OpenAiError(StatusCodes.Status500InternalServerError, "Generation failed in llama.cpp (see the worker log).", Type: "server_error").WriteAsync(context);
            return;
        }

        if (item.Finish is FinishReason.Cancelled)
        {
            return; // the client is gone
        }

        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        var writer = response.BodyWriter;
        if (chat)
        {
            WriteEvent(writer, json => OpenAiResponses.WriteChunk(json, chat, id, created, model, "", first: true, finish: null));
        }

        while (true)
        {
            // Every event already produced is written, then one flush: each token leaves as soon as it is sampled,
            // and a reader that fell behind catches up with one write instead of one per token.
            do
            {
                if (item.Text.Length > 0)
                {
                    var text = item.Text;
                    WriteEvent(writer, json => OpenAiResponses.WriteChunk(json, chat, id, created, model, text, first: false, finish: null));
                }

                if (item.Finish is { } finish)
                {
                    if (finish is FinishReason.Cancelled or FinishReason.Error or FinishReason.Unavailable)
                    {
                        context.Abort(); // never a clean end for a broken generation
                        return;
                    }

                    WriteEvent(writer, json => OpenAiResponses.WriteChunk(json, chat, id, created, model, null, first: false, finish: finish));
                    if (includeUsage)
                    {
                        var (prompt, completion) = (item.PromptTokens, item.CompletionTokens);
                        WriteEvent(writer, json => OpenAiResponses.WriteUsageChunk(json, chat, id, created, model, prompt, completion));
                    }

                    writer.Write(Done);
                    await writer.FlushAsync(context.RequestAborted);
                    return;
                }
            }
            while (output.TryRead(out item));

            await writer.FlushAsync(context.RequestAborted);
            if (!await output.WaitToReadAsync(CancellationToken.None) || !output.TryRead(out item))
            {
                context.Abort();
                return;
            }
        }
    }

    private static void WriteEvent(PipeWriter writer, Action<Utf8JsonWriter> write)
    {
        writer.Write(DataPrefix);
        using (var json = new Utf8JsonWriter((IBufferWriter<byte>)writer))
        {
            write(json);
        }

        writer.Write(EventEnd);
    }

    private static async Task WriteJsonAsync(HttpContext context, Action<Utf8JsonWriter> write)
    {
        context.Response.ContentType = "application/json";
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer))
        {
            write(json);
        }

        context.Response.ContentLength = buffer.WrittenCount;
        await context.Response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted);
    }

    private static async Task<byte[]> ReadBodyAsync(PipeReader reader, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await reader.CopyToAsync(buffer, cancellationToken);
        return buffer.ToArray();
    }

    private static OpenAiError Unavailable(string? reason) =>
        new(StatusCodes.Status503ServiceUnavailable, "The engine cannot generate: " + (reason ?? "its inference loop stopped"), Type: "server_error", Code: "engine_unavailable");

    private OpenAiError NotReady() =>
        new(StatusCodes.Status503ServiceUnavailable, "The model is not loaded: " + (_server.LoadError ?? "still loading"), Type: "server_error", Code: "model_not_ready");
}
