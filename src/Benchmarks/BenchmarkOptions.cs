namespace Vespa.Benchmarks;

/// <summary>
/// Settings shared by the built-in benchmarks. Each property documents its default; the defaults
/// are also public constants so the worker's options layer can refer to them.
/// </summary>
public sealed class BenchmarkOptions
{
    /// <summary>8, the official SDK's <c>BenchmarkConfig.runs</c>, so <c>max_perf</c> is the best of as many runs as an official worker's.</summary>
    public const int DefaultRuns = 8;
    public const int DefaultConcurrency = 10;
    public const int DefaultMaxTokens = 256;
    public const int DefaultImageWidth = 512;
    public const int DefaultImageHeight = 512;
    public const int DefaultSteps = 20;

    /// <summary>The default prompt: asks for a long answer, so generation runs up to the token limit.</summary>
    public const string DefaultPrompt =
        "Explain in detail, step by step, how a modern CPU executes a program: instruction fetch, decode, " +
        "pipelining, branch prediction, caches, out-of-order execution and retirement. Write several long paragraphs.";

    /// <summary>The default text-to-image prompt of the built-in ComfyUI request.</summary>
    public const string DefaultImagePrompt = "a lighthouse on a rocky coast at sunset, detailed, soft light";

    public static readonly TimeSpan DefaultRequestTimeout = TimeSpan.FromMinutes(10);

    private int? _concurrency;

    /// <summary>Measured runs; the result is the best one. <value>Default: 8 (the SDK's).</value></summary>
    public int Runs { get; set; } = DefaultRuns;

    /// <summary>
    /// Requests sent at once in each run. <value>Default: 10.</value> The <c>comfyui</c> benchmark
    /// uses 1 (image servers run one job at a time) unless this property was assigned explicitly,
    /// see <see cref="ConcurrencyIsExplicit"/>: assign it only when the operator asked for a value.
    /// </summary>
    public int Concurrency
    {
        get => _concurrency ?? DefaultConcurrency;
        set => _concurrency = value;
    }

    /// <summary>True once <see cref="Concurrency"/> has been assigned (even to its default value).</summary>
    public bool ConcurrencyIsExplicit => _concurrency is not null;

    /// <summary>Send one untimed request first; its failure fails the benchmark. <value>Default: true.</value></summary>
    public bool Warmup { get; set; } = true;

    /// <summary>Tokens asked for per request (<c>max_tokens</c>, TGI <c>max_new_tokens</c>). <value>Default: 256.</value></summary>
    public int MaxTokens { get; set; } = DefaultMaxTokens;

    /// <summary>
    /// The model to ask for. <value>Default: null</value>, which means: discover it from
    /// <c>GET /v1/models</c> (first entry), or send no <c>model</c> field if that fails.
    /// </summary>
    public string? Model { get; set; }

    /// <summary>The text prompt of the language-model benchmarks. <value>Default: <see cref="DefaultPrompt"/>.</value></summary>
    public string Prompt { get; set; } = DefaultPrompt;

    /// <summary>The prompt of the built-in ComfyUI text-to-image request. <value>Default: <see cref="DefaultImagePrompt"/>.</value></summary>
    public string ImagePrompt { get; set; } = DefaultImagePrompt;

    /// <summary>Built-in ComfyUI request: image width in pixels (<c>BENCHMARK_TEST_WIDTH</c>). <value>Default: 512.</value></summary>
    public int ImageWidth { get; set; } = DefaultImageWidth;

    /// <summary>Built-in ComfyUI request: image height in pixels (<c>BENCHMARK_TEST_HEIGHT</c>). <value>Default: 512.</value></summary>
    public int ImageHeight { get; set; } = DefaultImageHeight;

    /// <summary>Built-in ComfyUI request: sampling steps (<c>BENCHMARK_TEST_STEPS</c>). <value>Default: 20.</value></summary>
    public int Steps { get; set; } = DefaultSteps;

    /// <summary>
    /// A JSON file for the <c>comfyui</c> benchmark (<c>VESPA_COMFYUI_BENCHMARK_FILE</c>). An object
    /// with an <c>input</c> property is sent as the whole payload; anything else is taken as a
    /// ComfyUI API-format workflow and sent as <c>{"input": {"request_id": ..., "workflow_json": &lt;file&gt;}}</c>,
    /// as the official workers do. <value>Default: null (the built-in text-to-image request).</value>
    /// </summary>
    public string? ComfyWorkflowFile { get; set; }

    /// <summary>Bound on each request, warm-up included. <value>Default: 10 minutes.</value></summary>
    public TimeSpan RequestTimeout { get; set; } = DefaultRequestTimeout;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting that cannot work.</summary>
    public void Validate()
    {
        Require(Runs >= 1, nameof(Runs), Runs, "at least 1");
        Require(Concurrency >= 1, nameof(Concurrency), Concurrency, "at least 1");
        Require(MaxTokens >= 1, nameof(MaxTokens), MaxTokens, "at least 1");
        Require(ImageWidth >= 1, nameof(ImageWidth), ImageWidth, "at least 1");
        Require(ImageHeight >= 1, nameof(ImageHeight), ImageHeight, "at least 1");
        Require(Steps >= 1, nameof(Steps), Steps, "at least 1");
        Require(RequestTimeout > TimeSpan.Zero || RequestTimeout == Timeout.InfiniteTimeSpan, nameof(RequestTimeout), RequestTimeout, "positive or infinite");
        Require(!string.IsNullOrEmpty(Prompt), nameof(Prompt), "(empty)", "not empty");
    }

    private static void Require(bool condition, string name, object value, string expected)
    {
        if (!condition)
        {
            throw new ArgumentException($"Benchmark option {name} is {value}; it must be {expected}.");
        }
    }
}
