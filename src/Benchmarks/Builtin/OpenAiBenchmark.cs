using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Vespa.Benchmarks.Http;
using Vespa.Benchmarks.Runner;

namespace Vespa.Benchmarks.Builtin;

/// <summary>
/// <c>openai-chat</c> and <c>openai-completions</c>: vLLM, llama.cpp server, Ollama, SGLang and any
/// OpenAI-compatible server. Workload per response is <c>usage.completion_tokens</c>, the real
/// number of generated tokens, so the unit is tokens/s.
/// </summary>
/// <remarks>
/// Request (non-streaming; no temperature, so the server's default sampling is measured, and
/// servers that reject non-default temperatures still answer):
/// <code>
/// {"model": "&lt;id&gt;", "messages": [{"role": "user", "content": "&lt;prompt&gt;"}], "max_tokens": 256, "stream": false}
/// {"model": "&lt;id&gt;", "prompt": "&lt;prompt&gt;", "max_tokens": 256, "stream": false}
/// </code>
/// The model is <see cref="BenchmarkOptions.Model"/>, else the first id of <c>GET /v1/models</c>;
/// if discovery fails, no <c>model</c> field is sent and the identity says so. A 200 answer must
/// be an object with a <c>choices</c> array. Without <c>usage.completion_tokens</c> the response
/// counts <c>max_tokens</c>, with one warning.
/// </remarks>
internal sealed partial class OpenAiBenchmark : IStartupBenchmark
{
    public const string ChatName = "openai-chat";
    public const string CompletionsName = "openai-completions";
    public const string EngineName = "engine";
    public const string Unit = "tokens/s";

    private readonly OpenAiApi _api;
    private ModelChoice? _model;

    public OpenAiBenchmark(OpenAiApi api)
    {
        _api = api;
    }

    public string Name => _api switch
    {
        OpenAiApi.Chat => ChatName,
        OpenAiApi.Engine => EngineName,
        _ => CompletionsName,
    };

    private string Path => _api == OpenAiApi.Chat ? "v1/chat/completions" : "v1/completions";

    public async Task<string> IdentifyAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Options.Validate();
        var model = await ChooseModelAsync(context, cancellationToken);
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{Name} model={model.IdentityText} max_tokens={context.Options.MaxTokens} concurrency={context.Options.Concurrency}");
    }

    public async Task<BenchmarkResult> RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var options = context.Options;
        options.Validate();
        var model = await ChooseModelAsync(context, cancellationToken);
        var body = JsonPayload.Write(writer => WriteRequest(writer, model.Id, options));
        var maxTokens = options.MaxTokens;
        var plan = new BenchmarkPlan
        {
            Path = Path,
            CreateContent = () => JsonPayload.Content(body),
            Evaluate = root => Evaluate(root, maxTokens),
            Concurrency = options.Concurrency,
            Unit = Unit,
        };
        return await BenchmarkRunner.RunAsync(Name, context, plan, cancellationToken);
    }

    /// <summary>
    /// Chosen once per instance, so <see cref="IdentifyAsync"/> and <see cref="RunAsync"/> describe
    /// the same model even if <c>/v1/models</c> changes in between.
    /// </summary>
    private async Task<ModelChoice> ChooseModelAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        if (_model is not null)
        {
            return _model;
        }

        if (!string.IsNullOrEmpty(context.Options.Model))
        {
            return _model = new ModelChoice(context.Options.Model, context.Options.Model);
        }

        var (id, problem) = await BackendProbe.GetStringAsync(context, "v1/models", FirstModelId, cancellationToken);
        if (id is null)
        {
            Log.ModelDiscoveryFailed(context.Logger, Name, problem!);
            return _model = new ModelChoice(null, "(none: GET /v1/models failed; the server's default)");
        }

        Log.ModelDiscovered(context.Logger, Name, id);
        return _model = new ModelChoice(id, id);
    }

    private static string? FirstModelId(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object
        && root.TryGetProperty("data", out var data)
        && data.ValueKind == JsonValueKind.Array
        && data.GetArrayLength() > 0
            ? BackendProbe.StringProperty(data[0], "id")
            : null;

    private void WriteRequest(Utf8JsonWriter writer, string? model, BenchmarkOptions options)
    {
        writer.WriteStartObject();
        if (model is not null)
        {
            writer.WriteString("model", model);
        }

        if (_api == OpenAiApi.Chat)
        {
            writer.WriteStartArray("messages");
            writer.WriteStartObject();
            writer.WriteString("role", "user");
            writer.WriteString("content", options.Prompt);
            writer.WriteEndObject();
            writer.WriteEndArray();
        }
        else
        {
            writer.WriteString("prompt", options.Prompt);
        }

        writer.WriteNumber("max_tokens", options.MaxTokens);
        writer.WriteBoolean("stream", false);
        if (_api == OpenAiApi.Engine)
        {
            // The engine's tokens per second must not depend on where a (random-weight) model happens to stop:
            // usage.completion_tokens then counts real decoded tokens, exactly max_tokens of them.
            writer.WriteBoolean("ignore_eos", true);
        }
        writer.WriteEndObject();
    }

    private static ResponseEvaluation Evaluate(JsonElement root, int maxTokens)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("choices", out var choices) || choices.ValueKind != JsonValueKind.Array)
        {
            return ResponseEvaluation.Rejected("the body has no \"choices\" array");
        }

        if (root.TryGetProperty("usage", out var usage)
            && usage.ValueKind == JsonValueKind.Object
            && usage.TryGetProperty("completion_tokens", out var tokens)
            && tokens.ValueKind == JsonValueKind.Number)
        {
            return ResponseEvaluation.Counted(tokens.GetDouble());
        }

        return ResponseEvaluation.Estimated(
            maxTokens,
            $"the backend's responses carry no usage.completion_tokens; counting max_tokens ({maxTokens.ToString(CultureInfo.InvariantCulture)}) per response, an upper bound");
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 360, EventName = "BenchmarkModelDiscovered", Level = LogLevel.Information,
            Message = "Benchmark {Benchmark}: measuring model {Model} (first entry of GET /v1/models)")]
        public static partial void ModelDiscovered(ILogger logger, string benchmark, string model);

        [LoggerMessage(EventId = 361, EventName = "BenchmarkModelDiscoveryFailed", Level = LogLevel.Warning,
            Message = "Benchmark {Benchmark}: model discovery failed ({Problem}); sending no model field, so the server's default model is measured")]
        public static partial void ModelDiscoveryFailed(ILogger logger, string benchmark, string problem);
    }
}
