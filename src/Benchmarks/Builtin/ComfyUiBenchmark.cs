using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Vespa.Benchmarks.Http;
using Vespa.Benchmarks.Runner;

namespace Vespa.Benchmarks.Builtin;

/// <summary>
/// <c>comfyui</c>: the universal PyWorker's ComfyUI benchmark, against ai-dock's
/// comfyui-api-wrapper (<c>POST /generate/sync</c>). Every successful image is 100 workload units,
/// the official figure (the ComfyUI workers' fixed request cost), so the unit is workload/s.
/// </summary>
/// <remarks>
/// <para>Payloads, as the official comfyui-json worker sends them:</para>
/// <list type="bullet">
/// <item>No <see cref="BenchmarkOptions.ComfyWorkflowFile"/>: the wrapper's built-in text-to-image modifier,
/// <c>{"input": {"request_id": "vespa-benchmark-&lt;hex&gt;", "modifier": "Text2Image", "modifications":
/// {"prompt": ImagePrompt, "width": ImageWidth, "height": ImageHeight, "steps": Steps, "seed": &lt;random&gt;}}}</c>.</item>
/// <item>A file whose JSON is an object with an <c>input</c> property: sent as the whole payload, byte for byte.</item>
/// <item>Any other JSON file: a ComfyUI API-format workflow, sent as
/// <c>{"input": {"request_id": "vespa-benchmark-&lt;hex&gt;", "workflow_json": &lt;file&gt;}}</c>. Use
/// <c>__RANDOM_INT__</c> for seeds (the wrapper substitutes it) so ComfyUI does not serve a cached result.</item>
/// </list>
/// <para>An unreadable or invalid file fails the benchmark; there is no silent fall-back to the
/// built-in request. Concurrency is 1 (ComfyUI runs one job at a time, the official handler
/// disallows parallel requests) unless <see cref="BenchmarkOptions.Concurrency"/> was assigned
/// explicitly. A 200 answer must be a JSON object whose <c>status</c>, if any, is not
/// <c>failed</c> or <c>error</c>.</para>
/// </remarks>
internal sealed class ComfyUiBenchmark : IStartupBenchmark
{
    public const string BenchmarkName = "comfyui";
    public const double WorkloadPerImage = 100.0;
    public const string Unit = "workload/s";

    private WorkflowFile? _file;

    public string Name => BenchmarkName;

    public Task<string> IdentifyAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var options = context.Options;
        options.Validate();
        var concurrency = EffectiveConcurrency(options);
        var file = LoadFile(options);
        var identity = file is null
            ? string.Create(CultureInfo.InvariantCulture, $"{Name} text2image width={options.ImageWidth} height={options.ImageHeight} steps={options.Steps} concurrency={concurrency}")
            : string.Create(CultureInfo.InvariantCulture, $"{Name} workflow={Path.GetFileName(file.Path)} sha256={file.Sha256Prefix} concurrency={concurrency}");
        return Task.FromResult(identity);
    }

    public Task<BenchmarkResult> RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var options = context.Options;
        options.Validate();
        var file = LoadFile(options);
        Func<HttpContent> createContent = file switch
        {
            null => () => JsonPayload.Content(JsonPayload.Write(writer => WriteText2Image(writer, options))),
            { IsWholePayload: true } => () => JsonPayload.Content(file.Json),
            _ => () => JsonPayload.Content(JsonPayload.Write(writer => WriteWorkflow(writer, file.Json))),
        };
        var plan = new BenchmarkPlan
        {
            Path = "generate/sync",
            CreateContent = createContent,
            Evaluate = Evaluate,
            Concurrency = EffectiveConcurrency(options),
            Unit = Unit,
        };
        return BenchmarkRunner.RunAsync(Name, context, plan, cancellationToken);
    }

    internal static int EffectiveConcurrency(BenchmarkOptions options) => options.ConcurrencyIsExplicit ? options.Concurrency : 1;

    private WorkflowFile? LoadFile(BenchmarkOptions options)
    {
        if (string.IsNullOrEmpty(options.ComfyWorkflowFile))
        {
            return null;
        }

        var path = Path.GetFullPath(options.ComfyWorkflowFile);
        if (_file is not null && _file.Path == path)
        {
            return _file;
        }

        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new BenchmarkFailedException(Name, $"cannot read the ComfyUI workflow file '{path}': {ex.Message}", ex);
        }

        // A UTF-8 byte-order mark is legal in a file but not inside a JSON payload.
        var json = bytes.AsSpan().StartsWith("\uFEFF"u8) ? bytes[3..] : bytes;
        bool wholePayload;
        try
        {
            using var document = JsonDocument.Parse(json);
            wholePayload = document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("input", out _);
        }
        catch (JsonException ex)
        {
            throw new BenchmarkFailedException(Name, $"the ComfyUI workflow file '{path}' is not valid JSON: {ex.Message}", ex);
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(json))[..16];
        return _file = new WorkflowFile(path, json, wholePayload, hash);
    }

    private static void WriteText2Image(Utf8JsonWriter writer, BenchmarkOptions options)
    {
        writer.WriteStartObject();
        writer.WriteStartObject("input");
        writer.WriteString("request_id", NewRequestId());
        writer.WriteString("modifier", "Text2Image");
        writer.WriteStartObject("modifications");
        writer.WriteString("prompt", options.ImagePrompt);
        writer.WriteNumber("width", options.ImageWidth);
        writer.WriteNumber("height", options.ImageHeight);
        writer.WriteNumber("steps", options.Steps);

        // A fresh seed per request: ComfyUI answers an identical prompt from its cache, which would measure nothing.
        writer.WriteNumber("seed", RandomNumberGenerator.GetInt32(int.MaxValue));
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteWorkflow(Utf8JsonWriter writer, byte[] workflow)
    {
        writer.WriteStartObject();
        writer.WriteStartObject("input");
        writer.WriteString("request_id", NewRequestId());
        writer.WritePropertyName("workflow_json");
        writer.WriteRawValue(workflow, skipInputValidation: true);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static string NewRequestId() => "vespa-benchmark-" + Guid.NewGuid().ToString("N");

    private static ResponseEvaluation Evaluate(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return ResponseEvaluation.Rejected("the body is not a JSON object");
        }

        var status = BackendProbe.StringProperty(root, "status");
        if (string.Equals(status, "failed", StringComparison.OrdinalIgnoreCase) || string.Equals(status, "error", StringComparison.OrdinalIgnoreCase))
        {
            return ResponseEvaluation.Rejected($"the backend reports status \"{status}\"");
        }

        return ResponseEvaluation.Counted(WorkloadPerImage);
    }

    /// <summary>The workflow file as read once: its JSON, whether it is a whole payload, and a short hash for the identity.</summary>
    private sealed record WorkflowFile(string Path, byte[] Json, bool IsWholePayload, string Sha256Prefix);
}
