using System.Globalization;
using System.Text.Json;
using Vespa.Benchmarks.Http;
using Vespa.Benchmarks.Runner;

namespace Vespa.Benchmarks.Builtin;

/// <summary>
/// <c>tgi</c>: Hugging Face text-generation-inference's native API.
/// <code>POST /generate {"inputs": "&lt;prompt&gt;", "parameters": {"max_new_tokens": 256, "details": true}}</code>
/// Workload per response is <c>details.generated_tokens</c> (tokens/s); when absent it is
/// <c>max_new_tokens</c>, with one warning. A 200 answer must be an object (or a one-element
/// array, as some TGI-compatible servers send) with a <c>generated_text</c> string. The identity
/// names the model from <c>GET /info</c> (<c>model_id</c>) when the server has it.
/// </summary>
internal sealed class TgiBenchmark : IStartupBenchmark
{
    public const string BenchmarkName = "tgi";

    private string? _modelText;

    public string Name => BenchmarkName;

    public async Task<string> IdentifyAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Options.Validate();
        if (_modelText is null)
        {
            var (modelId, _) = await BackendProbe.GetStringAsync(context, "info", root => BackendProbe.StringProperty(root, "model_id"), cancellationToken);
            _modelText = modelId ?? "(unknown: GET /info failed)";
        }

        return string.Create(
            CultureInfo.InvariantCulture,
            $"{Name} model={_modelText} max_new_tokens={context.Options.MaxTokens} concurrency={context.Options.Concurrency}");
    }

    public Task<BenchmarkResult> RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var options = context.Options;
        options.Validate();
        var maxNewTokens = options.MaxTokens;
        var body = JsonPayload.Write(writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("inputs", options.Prompt);
            writer.WriteStartObject("parameters");
            writer.WriteNumber("max_new_tokens", maxNewTokens);
            writer.WriteBoolean("details", true);
            writer.WriteEndObject();
            writer.WriteEndObject();
        });
        var plan = new BenchmarkPlan
        {
            Path = "generate",
            CreateContent = () => JsonPayload.Content(body),
            Evaluate = root => Evaluate(root, maxNewTokens),
            Concurrency = options.Concurrency,
            Unit = OpenAiBenchmark.Unit,
        };
        return BenchmarkRunner.RunAsync(Name, context, plan, cancellationToken);
    }

    private static ResponseEvaluation Evaluate(JsonElement root, int maxNewTokens)
    {
        if (root.ValueKind == JsonValueKind.Array && root.GetArrayLength() == 1)
        {
            root = root[0];
        }

        if (BackendProbe.StringProperty(root, "generated_text") is null)
        {
            return ResponseEvaluation.Rejected("the body has no \"generated_text\" string");
        }

        if (root.TryGetProperty("details", out var details)
            && details.ValueKind == JsonValueKind.Object
            && details.TryGetProperty("generated_tokens", out var tokens)
            && tokens.ValueKind == JsonValueKind.Number)
        {
            return ResponseEvaluation.Counted(tokens.GetDouble());
        }

        return ResponseEvaluation.Estimated(
            maxNewTokens,
            $"the backend's responses carry no details.generated_tokens; counting max_new_tokens ({maxNewTokens.ToString(CultureInfo.InvariantCulture)}) per response, an upper bound");
    }
}
