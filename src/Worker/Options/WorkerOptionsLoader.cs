using System.Collections;
using System.Globalization;
using System.Net;
using Vespa.Core.Signatures;

namespace Vespa.Worker.Options;

/// <summary>
/// Builds <see cref="WorkerOptions"/> from environment variables. Every universal-PyWorker
/// variable <c>PYWORKER_&lt;NAME&gt;</c> exists as <c>VESPA_&lt;NAME&gt;</c>; the <c>PYWORKER_</c> names and the
/// SDK names (<c>WORKER_PORT</c>, <c>USE_SSL</c>, <c>UNSECURED</c>) are fallbacks, and <c>VESPA_</c> wins.
/// This is the only place that reads the environment.
/// </summary>
public static class WorkerOptionsLoader
{
    /// <summary>Default autoscaler when running on vast.ai without an explicit <c>REPORT_ADDR</c> (as start_server.sh).</summary>
    public const string DefaultReportAddress = "https://run.vast.ai";

    private static readonly TimeSpan MinNvmlInterval = TimeSpan.FromSeconds(0.5);

    private static readonly string[] VastVariables = ["CONTAINER_ID", "REPORT_ADDR", "MASTER_TOKEN", "PUBLIC_IPADDR"];

    // Workloads are kept exactly in Int128 nano-units (WorkloadUnits); this bound keeps every sum far from overflow.
    private const double MaxCostLimit = 1e15;

    public static WorkerOptions LoadFromProcessEnvironment()
    {
        var snapshot = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            snapshot[(string)entry.Key] = entry.Value as string ?? "";
        }

        return Load(snapshot);
    }

    /// <exception cref="WorkerOptionsException">Some variable has a value the worker cannot use.</exception>
    public static WorkerOptions Load(IReadOnlyDictionary<string, string> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var env = new EnvironmentReader(environment);
        var o = new WorkerOptions();

        ReadBackend(env, o);
        ReadListener(env, o);
        ReadAdmission(env, o);
        ReadLifecycle(env, o);
        ReadReporting(env, o);
        ReadBenchmarkSettings(env, o);
        ReadSecurity(env, environment, o);

        if (env.Errors.Count > 0)
        {
            throw new WorkerOptionsException(env.Errors);
        }

        return o;
    }

    private static void ReadBackend(EnvironmentReader env, WorkerOptions o)
    {
        if (env.Find(EnvironmentReader.Names("BACKEND_URL")) is var (name, value))
        {
            if (Uri.TryCreate(value, UriKind.Absolute, out var uri)
                && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
                && string.IsNullOrEmpty(uri.Query) && string.IsNullOrEmpty(uri.Fragment) && string.IsNullOrEmpty(uri.UserInfo))
            {
                o.BackendUrl = uri;
            }
            else
            {
                env.Fail(name, value, "an absolute http:// or https:// URL without query, fragment or credentials, e.g. http://127.0.0.1:8000");
            }
        }

        o.Model = env.String("MODEL");
        ReadEngine(env, o);
        o.HealthcheckEndpoint = env.String("HEALTHCHECK_ENDPOINT") ?? o.HealthcheckEndpoint;
        if (!o.HealthcheckEndpoint.StartsWith('/'))
        {
            env.Fail("VESPA_HEALTHCHECK_ENDPOINT", o.HealthcheckEndpoint, "a path starting with '/'");
        }

        o.IdleTimeout = env.Seconds("IDLE_TIMEOUT") ?? o.IdleTimeout;
        o.BackendConnectTimeout = env.Seconds("CONNECT_TIMEOUT") ?? o.BackendConnectTimeout;
        o.ConnectionLimit = env.Int("CONNECTION_LIMIT", 1, 100_000) ?? o.ConnectionLimit;
        o.ConnectionLimitPerHost = env.Int("CONNECTION_LIMIT_PER_HOST", 1, 100_000) ?? o.ConnectionLimitPerHost;
    }

    private static void ReadEngine(EnvironmentReader env, WorkerOptions o)
    {
        var engine = o.Engine;
        engine.Model = o.Model;
        engine.ModelSha256 = env.String("MODEL_SHA256");
        if (engine.ModelSha256 is { } sha && (sha.Length != 64 || !sha.All(Uri.IsHexDigit)))
        {
            env.Fail("VESPA_MODEL_SHA256", sha, "64 hexadecimal characters");
        }

        engine.CacheDirectory = env.String("MODEL_CACHE");
        engine.NativeDirectory = env.Find("VESPA_NATIVE_DIR", "LLAMA_NATIVE_DIR")?.Value;
        engine.GpuLayers = env.Int("GPU_LAYERS", -1, 10_000) ?? -1;
        engine.Threads = env.Int("THREADS", 0, 1024) ?? 0;
        engine.ContextSize = env.Int("CONTEXT_SIZE", 16, 1 << 22) ?? engine.ContextSize;
        engine.ParallelSequences = env.Int("PARALLEL", 1, 256) ?? engine.ParallelSequences;
        engine.BatchSize = env.Int("BATCH_SIZE", 1, 1 << 20) ?? engine.BatchSize;
        engine.ChatTemplate = env.String("CHAT_TEMPLATE");
        engine.UnifiedKv = env.Bool("KV_UNIFIED");
        engine.PromptCache = env.Bool("PROMPT_CACHE") ?? engine.PromptCache;
    }

    private static void ReadListener(EnvironmentReader env, WorkerOptions o)
    {
        o.WorkerPort = ReadWorkerPort(env) ?? o.WorkerPort;
        ReadWorkerHttpPort(env, o);
        o.UseSsl = ReadUseSsl(env) ?? false;
        o.SslCertificateFile = env.String("SSL_CERT_FILE") ?? o.SslCertificateFile;
        o.SslKeyFile = env.String("SSL_KEY_FILE") ?? o.SslKeyFile;
        o.MaxBodyBytes = env.Long("MAX_BODY_BYTES", 1, long.MaxValue) ?? o.MaxBodyBytes;
        o.UnverifiedBodyBudget = env.Long("UNVERIFIED_BODY_BUDGET", 64 * 1024, long.MaxValue) ?? o.UnverifiedBodyBudget;
        o.MaxClientConnections = env.Int("MAX_CLIENT_CONNECTIONS", 1, 1_000_000) ?? o.MaxClientConnections;
        o.LogLevel = ReadLogLevel(env) ?? o.LogLevel;
    }

    /// <summary>
    /// The official worker always opens <c>WORKER_HTTP_PORT</c> (default <c>WORKER_PORT + 1</c>), TLS
    /// or not. Ours too, except with an ephemeral main port (0, where "+1" means nothing) or when
    /// switched <c>off</c>.
    /// </summary>
    private static void ReadWorkerHttpPort(EnvironmentReader env, WorkerOptions o)
    {
        if (env.Find(EnvironmentReader.Names("WORKER_HTTP_PORT", "WORKER_HTTP_PORT")) is var (name, value))
        {
            if (value.Equals("off", StringComparison.OrdinalIgnoreCase))
            {
                o.WorkerHttpPort = null;
                return;
            }

            o.WorkerHttpPort = env.ParseInt(name, value, 0, 65535);
            if (o.WorkerHttpPort is { } port && port != 0 && port == o.WorkerPort)
            {
                env.Fail(name, value, "a port other than the worker port (it serves plain-HTTP /session/end next to it), or off");
            }

            return;
        }

        if (o.WorkerPort is > 0 and < 65535)
        {
            o.WorkerHttpPort = o.WorkerPort + 1;
        }
        else if (o.WorkerPort == 65535)
        {
            env.Fail("WORKER_PORT is 65535, so the plain-HTTP /session/end port (WORKER_PORT + 1) does not exist: set VESPA_WORKER_HTTP_PORT to a port, or off.");
        }
    }

    private static void ReadAdmission(EnvironmentReader env, WorkerOptions o)
    {
        o.AllowParallel = env.Bool("ALLOW_PARALLEL") ?? o.AllowParallel;
        o.MaxConcurrency = env.Int("MAX_CONCURRENCY", 1, 1_000_000);
        o.MaxWaitTime = env.Double("MAX_WAIT_TIME", 0, 1e9) ?? o.MaxWaitTime;
        o.DefaultCost = env.Double("DEFAULT_COST", 0, MaxCostLimit);
        o.MaxCost = env.Double("MAX_COST", 1, MaxCostLimit) ?? o.MaxCost;
        if (o.DefaultCost is { } defaultCost && defaultCost > o.MaxCost)
        {
            env.Fail($"VESPA_DEFAULT_COST={defaultCost.ToString(CultureInfo.InvariantCulture)} is above VESPA_MAX_COST={o.MaxCost.ToString(CultureInfo.InvariantCulture)}: raise VESPA_MAX_COST or lower the default.");
        }

        if (env.String("BLOCKED_PATHS") is { } blocked)
        {
            o.BlockedPaths = blocked.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }
    }

    private static void ReadLifecycle(EnvironmentReader env, WorkerOptions o)
    {
        o.ReadyTimeoutInitial = env.Seconds("READY_TIMEOUT_INITIAL") ?? o.ReadyTimeoutInitial;
        o.ReadyTimeoutResume = env.Seconds("READY_TIMEOUT_RESUME") ?? o.ReadyTimeoutResume;
        o.HealthcheckRetryInterval = env.Seconds("HEALTHCHECK_RETRY_INTERVAL") ?? o.HealthcheckRetryInterval;
        o.HealthcheckPollInterval = env.Seconds("HEALTHCHECK_POLL_INTERVAL") ?? o.HealthcheckPollInterval;
        o.HealthcheckTimeout = env.Seconds("HEALTHCHECK_TIMEOUT") ?? o.HealthcheckTimeout;
        o.HealthcheckConsecutiveFailures = env.Int("HEALTHCHECK_CONSECUTIVE_FAILURES", 1, 1000) ?? o.HealthcheckConsecutiveFailures;
        o.PubkeyMaxRetries = env.Int("PUBKEY_MAX_RETRIES", 1, 1000) ?? o.PubkeyMaxRetries;
        o.PubkeyTimeout = env.Seconds("PUBKEY_TIMEOUT") ?? o.PubkeyTimeout;
    }

    private static void ReadReporting(EnvironmentReader env, WorkerOptions o)
    {
        o.MetricsUpdateInterval = env.Seconds("METRICS_UPDATE_INTERVAL") ?? o.MetricsUpdateInterval;
        o.DeleteRequestsInterval = env.Seconds("DELETE_REQUESTS_INTERVAL") ?? o.DeleteRequestsInterval;
        o.MetricsRetryDelay = env.Seconds("METRICS_RETRY_DELAY", min: 0) ?? o.MetricsRetryDelay;
        o.MetricsMaxRetries = env.Int("METRICS_MAX_RETRIES", 1, 1000) ?? o.MetricsMaxRetries;
        o.MetricsTimeout = env.Seconds("METRICS_TIMEOUT") ?? o.MetricsTimeout;
        o.MetricsConnectionLimit = env.Int("METRICS_CONNECTION_LIMIT", 1, 10_000) ?? o.MetricsConnectionLimit;
        o.MetricsConnectionLimitPerHost = env.Int("METRICS_CONNECTION_LIMIT_PER_HOST", 1, 10_000) ?? o.MetricsConnectionLimitPerHost;
        o.MetricsPort = env.Int("METRICS_PORT", 0, 65535);
        ReadGpuMetrics(env, o);
        o.DrainTimeout = env.Seconds("DRAIN_TIMEOUT", min: 0) ?? o.DrainTimeout;
        o.MaxSessions = env.Int("MAX_SESSIONS", 0, 1_000_000) ?? o.MaxSessions;
        o.MaxSessionLifetime = env.Double("MAX_SESSION_LIFETIME", 1, 86_400 * 30) ?? o.MaxSessionLifetime;
        o.ForceUpdateFile = env.String("FORCE_UPDATE_FILE") ?? o.ForceUpdateFile;
        if (env.Find(EnvironmentReader.Names("DELETE_REQUESTS_SHAPE")) is var (shapeName, shapeValue))
        {
            switch (shapeValue.ToUpperInvariant())
            {
                case "B" or "NEW":
                    o.DeleteRequestsShape = DeleteRequestsShape.B;
                    break;
                case "A" or "OLD":
                    o.DeleteRequestsShape = DeleteRequestsShape.A;
                    break;
                default:
                    env.Fail(shapeName, shapeValue, "b (requests with timestamps, the default) or a (request_idxs lists)");
                    break;
            }
        }
    }

    private static void ReadGpuMetrics(EnvironmentReader env, WorkerOptions o)
    {
        o.NvmlLibrary = env.String("NVML_LIBRARY");
        if (env.Seconds("NVML_INTERVAL", min: 0) is not { } interval)
        {
            return;
        }

        // Each NVML reading is a call into the driver: a few per second at most, or none.
        if (interval > TimeSpan.Zero && interval < MinNvmlInterval)
        {
            var (name, value) = env.Find(EnvironmentReader.Names("NVML_INTERVAL"))!.Value;
            env.Fail(name, value, "0 (GPU metrics off) or at least 0.5 seconds");
            return;
        }

        o.NvmlInterval = interval;
    }

    private static void ReadBenchmarkSettings(EnvironmentReader env, WorkerOptions o)
    {
        o.Benchmark = env.String("BENCHMARK");
        o.BenchmarkRuns = env.Int("BENCHMARK_RUNS", 1, 1000) ?? o.BenchmarkRuns;
        o.BenchmarkConcurrency = env.Int("BENCHMARK_CONCURRENCY", 1, 10_000);
        o.BenchmarkWarmup = env.Bool("BENCHMARK_WARMUP") ?? o.BenchmarkWarmup;
        o.BenchmarkMaxTokens = env.Int("BENCHMARK_MAX_TOKENS", 1, 1_000_000) ?? o.BenchmarkMaxTokens;
        o.BenchmarkModel = env.Find("VESPA_BENCHMARK_MODEL", "MODEL_NAME")?.Value;
        o.BenchmarkCacheFile = env.String("BENCHMARK_CACHE_FILE") ?? o.BenchmarkCacheFile;
        o.ComfyuiBenchmarkFile = env.String("COMFYUI_BENCHMARK_FILE");

        // The universal PyWorker reads these three without a prefix.
        o.BenchmarkTestWidth = ReadUnprefixedInt(env, "BENCHMARK_TEST_WIDTH", 1, 16384) ?? o.BenchmarkTestWidth;
        o.BenchmarkTestHeight = ReadUnprefixedInt(env, "BENCHMARK_TEST_HEIGHT", 1, 16384) ?? o.BenchmarkTestHeight;
        o.BenchmarkTestSteps = ReadUnprefixedInt(env, "BENCHMARK_TEST_STEPS", 1, 10_000) ?? o.BenchmarkTestSteps;
    }

    private static int? ReadUnprefixedInt(EnvironmentReader env, string name, int min, int max) =>
        env.Find($"VESPA_{name}", name) is var (source, value) ? env.ParseInt(source, value, min, max) : null;

    private static void ReadSecurity(EnvironmentReader env, IReadOnlyDictionary<string, string> environment, WorkerOptions o)
    {
        o.MasterToken = env.Find("MASTER_TOKEN")?.Value ?? "";
        o.PublicIpAddress = env.Find("PUBLIC_IPADDR")?.Value;

        if (env.Find("CONTAINER_ID") is var (idName, idValue))
        {
            if (long.TryParse(idValue, NumberStyles.Integer, CultureInfo.InvariantCulture, out var id))
            {
                o.ContainerId = id;
            }
            else
            {
                env.Fail(idName, idValue, "an integer instance id");
            }
        }

        if (env.Find(PublicAddress.PortVariable(o.WorkerPort)) is var (portName, portValue))
        {
            o.PublicPort = env.ParseInt(portName, portValue, 1, 65535);
        }

        var onVast = IsOnVast(env);
        var unsecured = env.Bool("UNSECURED", sdkName: "UNSECURED");
        o.LocalDevelopment = !onVast;
        o.Unsecured = unsecured ?? !onVast;

        if (env.Find("REPORT_ADDR") is var (reportName, reportValue))
        {
            o.ReportAddresses = ParseReportAddresses(env, reportName, reportValue);
        }
        else if (onVast)
        {
            o.ReportAddresses = [new Uri(DefaultReportAddress)];
        }

        if (!o.Unsecured && o.ReportAddresses.Count == 0)
        {
            env.Fail("A secured worker needs REPORT_ADDR (the autoscaler that serves /pubkey/); set REPORT_ADDR, or VESPA_UNSECURED=true for local development.");
        }

        o.SignatureScheme = ReadScheme(env) ?? o.SignatureScheme;
        o.CheckUrl = env.Bool("CHECK_URL") ?? true;
        o.AllowEncodedSlashes = env.Bool("ALLOW_ENCODED_SLASHES") ?? false;
        o.PublicUrlProblem = o.Unsecured ? null : DescribeMissingPublicUrl(o, environment);

        // Safe default: a worker that checks no signatures listens on loopback only, unless forced.
        var host = env.String("HOST");
        o.Host = host ?? (o.Unsecured ? "127.0.0.1" : "0.0.0.0");
        if (host is not null && !IPAddress.TryParse(host, out _) && host != "localhost")
        {
            env.Fail("VESPA_HOST", host, "an IP address such as 127.0.0.1 or 0.0.0.0");
        }
    }

    /// <summary>
    /// The one <c>USE_SSL</c> rule, shared by the worker and its launch-failure beacon (scripts/start_server.sh
    /// implements the same in bash, and a test checks that they agree): the first non-blank of
    /// <c>VESPA_USE_SSL</c>, <c>PYWORKER_USE_SSL</c>, <c>USE_SSL</c>, surrounding whitespace ignored, read with Python's
    /// <c>strtobool</c> (true/false, yes/no, on/off, 1/0, y/n, t/f; any case). <c>null</c> when none is set (the worker
    /// then serves plain HTTP; start_server.sh defaults to TLS and exports its decision as <c>VESPA_USE_SSL</c>);
    /// another value is an error recorded in <paramref name="env"/>.
    /// </summary>
    internal static bool? ReadUseSsl(EnvironmentReader env) => env.Bool("USE_SSL", sdkName: "USE_SSL");

    /// <summary>True when any vast.ai variable is present (then the worker is secured by default and reports to
    /// <see cref="DefaultReportAddress"/> when <c>REPORT_ADDR</c> is unset).</summary>
    internal static bool IsOnVast(EnvironmentReader env) => VastVariables.Any(name => env.Find(name) is not null);

    /// <summary>The listen port: <c>VESPA_WORKER_PORT</c>, <c>PYWORKER_WORKER_PORT</c>, <c>WORKER_PORT</c>.</summary>
    internal static int? ReadWorkerPort(EnvironmentReader env) => env.Int("WORKER_PORT", 0, 65535, sdkName: "WORKER_PORT");

    private static string? DescribeMissingPublicUrl(WorkerOptions o, IReadOnlyDictionary<string, string> environment)
    {
        if (string.IsNullOrEmpty(o.PublicIpAddress))
        {
            return "no public URL: PUBLIC_IPADDR is not set, so the autoscaler cannot route requests to this worker";
        }

        if (o.PublicPort is not null)
        {
            return null;
        }

        // Name what vast.ai did publish: usually the template maps another port than the worker listens on.
        var published = environment.Keys
            .Where(name => name.StartsWith("VAST_TCP_PORT_", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();
        var found = published.Count == 0 ? "none is set" : "set: " + string.Join(", ", published);
        var variable = PublicAddress.PortVariable(o.WorkerPort);
        return $"no public URL: {variable} is not set, so the autoscaler cannot route requests to this worker; "
            + $"publish the worker port {o.WorkerPort} in the template (-p {o.WorkerPort}:{o.WorkerPort}) or set VESPA_WORKER_PORT to a published port ({found})";
    }

    private static Uri[] ParseReportAddresses(EnvironmentReader env, string name, string value)
    {
        var result = new List<Uri>();
        foreach (var part in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (Uri.TryCreate(part.TrimEnd('/'), UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
            {
                result.Add(uri);
            }
            else
            {
                env.Fail(name, part, "a comma-separated list of http(s) URLs");
            }
        }

        return [.. result];
    }

    private static SignatureScheme? ReadScheme(EnvironmentReader env)
    {
        if (env.Find(EnvironmentReader.Names("SIGNATURE_SCHEME")) is not var (name, value))
        {
            return null;
        }

        switch (value.ToUpperInvariant())
        {
            case "URL":
                return SignatureScheme.Url;
            case "LEGACY":
                return SignatureScheme.Legacy;
            case "AUTO":
                return SignatureScheme.Auto;
            default:
                env.Fail(name, value, "one of url, legacy, auto");
                return null;
        }
    }

    private static LogLevel? ReadLogLevel(EnvironmentReader env)
    {
        if (env.Find(EnvironmentReader.Names("LOG_LEVEL")) is not var (name, value))
        {
            return null;
        }

        // Python names (the universal PyWorker's) and .NET names are both accepted.
        switch (value.ToUpperInvariant())
        {
            case "TRACE":
                return LogLevel.Trace;
            case "DEBUG":
                return LogLevel.Debug;
            case "INFO" or "INFORMATION":
                return LogLevel.Information;
            case "WARN" or "WARNING":
                return LogLevel.Warning;
            case "ERROR":
                return LogLevel.Error;
            case "CRITICAL" or "FATAL":
                return LogLevel.Critical;
            case "NONE":
                return LogLevel.None;
            default:
                env.Fail(name, value, "a log level: DEBUG, INFO, WARNING, ERROR, CRITICAL (or Trace, Information, None)");
                return null;
        }
    }
}
