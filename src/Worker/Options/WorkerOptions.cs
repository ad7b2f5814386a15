using Vespa.Core.Signatures;

namespace Vespa.Worker.Options;

/// <summary>
/// Everything the worker is configured with, read once from the environment by
/// <see cref="WorkerOptionsLoader"/>. Defaults are those of the universal PyWorker
/// (vast-protocol.md §8.1) unless product.md §3.1 says otherwise.
/// </summary>
public sealed class WorkerOptions
{
    /// <summary>The default of <see cref="MaxCost"/>.</summary>
    public const double DefaultMaxCost = 1e9;

    /// <summary>Base URL of the external inference server; <c>null</c> means the embedded default backend.</summary>
    public Uri? BackendUrl { get; set; }

    /// <summary>Embedded engine model (GGUF path or http(s) URL); <c>null</c> means the generated demo model.</summary>
    public string? Model { get; set; }

    /// <summary>The embedded engine's settings (used when <see cref="BackendUrl"/> is unset).</summary>
    public Vespa.Engine.EngineOptions Engine { get; set; } = new();

    /// <summary>Interface the worker binds. <c>0.0.0.0</c> when secured, <c>127.0.0.1</c> when unsecured.</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>Listen port (<c>3000</c>). <c>0</c> picks a free port (tests).</summary>
    public int WorkerPort { get; set; } = 3000;

    /// <summary>
    /// The plain-HTTP port that serves only <c>POST /session/end</c>, as the official worker's
    /// <c>WORKER_HTTP_PORT</c> (the loader's default is <see cref="WorkerPort"/> + 1); <c>null</c> for
    /// none, <c>0</c> picks a free port (tests). It binds <see cref="Host"/>, like the main port.
    /// </summary>
    public int? WorkerHttpPort { get; set; }

    /// <summary>Startup benchmark name or <c>path.dll:Type</c>; <c>null</c> means the backend's default.</summary>
    public string? Benchmark { get; set; }

    /// <summary>Backend health path (<c>/health</c>).</summary>
    public string HealthcheckEndpoint { get; set; } = "/health";

    public bool AllowParallel { get; set; } = true;

    /// <summary>Concurrent requests forwarded at once; <c>null</c> is unlimited.</summary>
    public int? MaxConcurrency { get; set; }

    /// <summary>Seconds of estimated queue before a request is rejected with 429 (<c>10.0</c>).</summary>
    public double MaxWaitTime { get; set; } = 10.0;

    public TimeSpan ReadyTimeoutInitial { get; set; } = TimeSpan.FromSeconds(1200);

    public TimeSpan ReadyTimeoutResume { get; set; } = TimeSpan.FromSeconds(300);

    /// <summary>Skip signature checks (local development).</summary>
    public bool Unsecured { get; set; }

    /// <summary>True when no vast.ai variable was found: unsecured and loopback-only unless forced.</summary>
    public bool LocalDevelopment { get; set; }

    public bool UseSsl { get; set; }

    public string SslCertificateFile { get; set; } = "/etc/instance.crt";

    public string SslKeyFile { get; set; } = "/etc/instance.key";

    public SignatureScheme SignatureScheme { get; set; } = SignatureScheme.Auto;

    /// <summary>fnmatch-style globs answered 403 (<c>*</c> also matches <c>/</c>).</summary>
    public IReadOnlyList<string> BlockedPaths { get; set; } = [];

    /// <summary>Workload used when <c>auth_data.cost &lt;= 1</c>, or is negative or not a number; <c>null</c> keeps a cost in [0, 1] and uses 1 for the others.</summary>
    public double? DefaultCost { get; set; }

    /// <summary>
    /// The largest workload one request is accounted with (<c>1e9</c>): a larger <c>auth_data.cost</c> is served
    /// with this workload, so one signed request can neither overflow nor swamp the reported load.
    /// </summary>
    public double MaxCost { get; set; } = DefaultMaxCost;

    public string BenchmarkCacheFile { get; set; } = ".has_benchmark";

    /// <summary>Request body cap (<c>100 MiB</c>); larger bodies get 413.</summary>
    public long MaxBodyBytes { get; set; } = 100L * 1024 * 1024;

    /// <summary>
    /// Bytes of request bodies held, all requests together, before their signature is verified (<c>256 MiB</c>);
    /// a request that would go beyond it gets 503 with <c>Retry-After</c>.
    /// </summary>
    public long UnverifiedBodyBudget { get; set; } = 256L * 1024 * 1024;

    /// <summary>Client connections Kestrel keeps open at once (<c>1024</c>); more wait in the accept queue.</summary>
    public int MaxClientConnections { get; set; } = 1024;

    /// <summary>
    /// Forward paths with encoded separators (<c>%2F</c>, <c>%5C</c>) and dot segments instead of refusing them with
    /// 400; the blocked globs are then matched against their decoded forms too.
    /// </summary>
    public bool AllowEncodedSlashes { get; set; }

    /// <summary>
    /// Accept <c>auth_data</c> only when its <c>url</c> names this worker (<see cref="PublicIpAddress"/> and
    /// <see cref="PublicPort"/>). Secured workers only; <c>true</c> unless <c>VESPA_CHECK_URL=false</c>.
    /// </summary>
    public bool CheckUrl { get; set; } = true;

    public LogLevel LogLevel { get; set; } = LogLevel.Information;

    /// <summary>Public-key fetch attempts per round (<c>3</c>).</summary>
    public int PubkeyMaxRetries { get; set; } = 3;

    public TimeSpan PubkeyTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan HealthcheckRetryInterval { get; set; } = TimeSpan.FromSeconds(5);

    public TimeSpan HealthcheckPollInterval { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan HealthcheckTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public int HealthcheckConsecutiveFailures { get; set; } = 3;

    public TimeSpan MetricsUpdateInterval { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan DeleteRequestsInterval { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan MetricsRetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    public int MetricsMaxRetries { get; set; } = 3;

    public TimeSpan MetricsTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public int MetricsConnectionLimit { get; set; } = 8;

    public int MetricsConnectionLimitPerHost { get; set; } = 4;

    /// <summary>Accepted for compatibility; the universal PyWorker defines it but never uses it.</summary>
    public int ConnectionLimit { get; set; } = 100;

    /// <summary>Accepted for compatibility; the universal PyWorker defines it but never uses it.</summary>
    public int ConnectionLimitPerHost { get; set; } = 20;

    public string? ComfyuiBenchmarkFile { get; set; }

    public int BenchmarkTestWidth { get; set; } = 512;

    public int BenchmarkTestHeight { get; set; } = 512;

    public int BenchmarkTestSteps { get; set; } = 20;

    /// <summary>Time without any byte moving before a backend exchange is abandoned (504). Never a total timeout.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(300);

    public TimeSpan BackendConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Benchmark runs (<c>8</c>, the SDK's default).</summary>
    public int BenchmarkRuns { get; set; } = Vespa.Benchmarks.BenchmarkOptions.DefaultRuns;

    /// <summary>Concurrent requests per benchmark run; <c>null</c> keeps the benchmark's default (10, the SDK's; 1 for ComfyUI).</summary>
    public int? BenchmarkConcurrency { get; set; }

    public bool BenchmarkWarmup { get; set; } = true;

    /// <summary><c>max_tokens</c> of the LLM benchmarks' requests (<c>256</c>).</summary>
    public int BenchmarkMaxTokens { get; set; } = 256;

    /// <summary>Model name for the LLM benchmarks (<c>VESPA_BENCHMARK_MODEL</c>, else <c>MODEL_NAME</c>); <c>null</c> asks <c>/v1/models</c>.</summary>
    public string? BenchmarkModel { get; set; }

    /// <summary><c>/delete_requests/</c> body: shape B (<c>requests</c> with timestamps, default) or A (<c>request_idxs</c>).</summary>
    public DeleteRequestsShape DeleteRequestsShape { get; set; } = DeleteRequestsShape.B;

    /// <summary>A loopback-only port serving <c>/metrics</c> without credentials; <c>null</c> for none.</summary>
    public int? MetricsPort { get; set; }

    /// <summary>
    /// The NVML library read for the <c>vespa_gpu_*</c> metrics (<c>VESPA_NVML_LIBRARY</c>); <c>null</c> looks for
    /// the driver's <c>libnvidia-ml.so.1</c> on the loader's search path, and its absence is no error.
    /// </summary>
    public string? NvmlLibrary { get; set; }

    /// <summary>How often GPU figures are read through NVML (<c>5</c> s); zero turns the GPU metrics off.</summary>
    public TimeSpan NvmlInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Open sessions allowed at once (<c>10</c>, the SDK's); 0 is unlimited.</summary>
    public int MaxSessions { get; set; } = 10;

    /// <summary>The largest <c>lifetime</c> a session may ask for, in seconds (<c>3600</c>); larger asks get 422.</summary>
    public double MaxSessionLifetime { get; set; } = 3600;

    /// <summary>File <c>POST /pyworker/update</c> creates for vast.ai's rolling updates (<c>/.force_update</c>).</summary>
    public string ForceUpdateFile { get; set; } = "/.force_update";

    /// <summary>
    /// How long SIGTERM waits for in-flight requests before they are cut (<c>7</c> s): with the final report
    /// (at most 2 s more) it fits inside <c>docker stop</c>'s 10 s grace period.
    /// </summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(7);

    // vast.ai environment

    public string MasterToken { get; set; } = "";

    /// <summary>Autoscaler base addresses in fail-over order (<c>REPORT_ADDR</c>, comma-split).</summary>
    public IReadOnlyList<Uri> ReportAddresses { get; set; } = [];

    public long? ContainerId { get; set; }

    public string? PublicIpAddress { get; set; }

    /// <summary>External port vast.ai maps to <see cref="WorkerPort"/> (<c>VAST_TCP_PORT_&lt;port&gt;</c>).</summary>
    public int? PublicPort { get; set; }

    /// <summary>The worker's public base URL as reported to the autoscaler, or empty when unknown.</summary>
    public string PublicUrl => PublicAddress.Format(UseSsl, PublicIpAddress, PublicPort);

    /// <summary>
    /// Why a secured worker has no public URL (<c>PUBLIC_IPADDR</c> or <c>VAST_TCP_PORT_&lt;port&gt;</c> missing), for
    /// <c>error_msg</c> and the log: the autoscaler cannot route to it. <c>null</c> when the URL is known or not needed.
    /// </summary>
    public string? PublicUrlProblem { get; set; }
}
