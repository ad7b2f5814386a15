using System.Globalization;
using Vespa.Benchmarks;
using Vespa.Worker.Forwarding;
using Vespa.Worker.Hosting;
using Vespa.Worker.Http;
using Vespa.Worker.Metrics;
using Vespa.Worker.Options;

namespace Vespa.Worker.Lifecycle;

/// <summary>
/// The worker's start-up and health (product.md §3.4):
/// <list type="number">
/// <item>poll the backend's health endpoint until it answers 200, within the initial deadline
/// (no benchmark cache: models may still be downloading) or the resume deadline (cache present);</item>
/// <item>run the benchmark, or reuse the cache when it recorded the same benchmark and identity;</item>
/// <item>mark the worker ready with its load time and throughput;</item>
/// <item>then poll health every <c>VESPA_HEALTHCHECK_POLL_INTERVAL</c>: after
/// <c>VESPA_HEALTHCHECK_CONSECUTIVE_FAILURES</c> failures in a row <c>error_msg</c> is set, and a
/// later success clears it (the SDK's error is permanent; a backend that recovers should not keep
/// a worker condemned).</item>
/// </list>
/// A start-up failure is kept in <see cref="WorkerState"/>, and the status reporter keeps telling
/// the autoscaler about it (the error beacon) instead of the process vanishing.
/// </summary>
internal sealed partial class ReadinessService : BackgroundService
{
    private readonly WorkerState _state;
    private readonly WorkerOptions _options;
    private readonly BackendTarget _backend;
    private readonly HttpClient _health;
    private readonly HttpClient _benchmarkClient;
    private readonly TimeProvider _time;
    private readonly WorkerMetrics _metrics;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger<ReadinessService> _logger;
    private readonly EmbeddedBackend _embedded;
    private readonly BackgroundLoops _loops;
    private readonly BackgroundLoop _monitor;
    private int _healthFailures;

    public ReadinessService(WorkerState state, WorkerOptions options, BackendTarget backend, IHttpClientFactory httpClientFactory, TimeProvider time, WorkerMetrics metrics, ILoggerFactory loggers, EmbeddedBackend embedded, BackgroundLoops loops)
    {
        _embedded = embedded;
        _loops = loops;
        _monitor = loops.Create("health monitor", typeof(ReadinessService));
        _state = state;
        _options = options;
        _backend = backend;
        _health = httpClientFactory.CreateClient(nameof(ReadinessService));
        _benchmarkClient = httpClientFactory.CreateClient("Benchmark");
        _benchmarkClient.BaseAddress = new Uri(backend.Prefix + "/");
        _benchmarkClient.Timeout = Timeout.InfiniteTimeSpan;
        _time = time;
        _metrics = metrics;
        _loggers = loggers;
        _logger = loggers.CreateLogger<ReadinessService>();
    }

    /// <summary>The default benchmark for an external backend when <c>VESPA_BENCHMARK</c> is unset: OpenAI chat, which vLLM, TGI, llama.cpp server and Ollama all speak.</summary>
    public const string DefaultBenchmark = "openai-chat";

    /// <summary>The default benchmark for the embedded engine: real generated tokens per second.</summary>
    public const string DefaultEmbeddedBenchmark = "engine";

    /// <summary>The first wait between start-up health checks; each next one doubles, up to the retry interval.</summary>
    private const double FirstRetryMilliseconds = 100;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            // Nothing is probed before the worker listens: a failed launch leaves only the error beacon running.
            await _loops.WaitForStartAsync(stoppingToken);
            if (!await StartUpAsync(stoppingToken))
            {
                return;
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return;
        }

        await MonitorHealthAsync(stoppingToken);
    }

    private async Task<bool> StartUpAsync(CancellationToken stoppingToken)
    {
        var cache = new BenchmarkCache(_options.BenchmarkCacheFile, _time);
        var resume = cache.Exists;
        var deadline = resume ? _options.ReadyTimeoutResume : _options.ReadyTimeoutInitial;
        if (!await WaitForHealthyAsync(deadline, stoppingToken))
        {
            if (_state.Phase == WorkerPhase.Failed)
            {
                return false;
            }

            _state.Fail($"Backend failed to become ready after {deadline.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} seconds ({(resume ? "resume" : "initial")} timeout): {_backend.Combine(_options.HealthcheckEndpoint)} never answered 200");
            return false;
        }

        _state.EnterBenchmarking();
        double maxThroughput;
        try
        {
            maxThroughput = await MeasureAsync(cache, stoppingToken);
        }
        catch (BenchmarkFailedException ex)
        {
            _state.Fail("Benchmark failed: " + ex.Message);
            return false;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            // Whatever a benchmark (a plugin, say) throws ends start-up with the reason, never the process.
            _state.Fail($"Benchmark failed: {ex.GetType().Name}: {ex.Message}");
            return false;
        }

        _metrics.MaxThroughput.Set(maxThroughput);
        _metrics.Ready.Set(1);
        _state.MarkReady(maxThroughput);
        return true;
    }

    private async Task<bool> WaitForHealthyAsync(TimeSpan deadline, CancellationToken stoppingToken)
    {
        var started = _time.GetTimestamp();
        string? lastProblem = null;
        // The embedded engine is in this process: checking it often costs nothing and saves seconds.
        var longest = _embedded.Server is null ? _options.HealthcheckRetryInterval : TimeSpan.FromMilliseconds(Math.Min(200, _options.HealthcheckRetryInterval.TotalMilliseconds));
        // A backend that comes up moments after the worker (a restart, a cached model) is seen within 0.1 s, not at the
        // next 5 s poll: the waits start short and double up to VESPA_HEALTHCHECK_RETRY_INTERVAL (issue 10: readiness
        // polling adds no idle wait before the first forwarded request).
        var interval = TimeSpan.FromMilliseconds(Math.Min(FirstRetryMilliseconds, longest.TotalMilliseconds));
        while (true)
        {
            if (_embedded.FailureReason is { } engineOff)
            {
                // The engine will not come: say why now rather than after the readiness deadline.
                _state.Fail(engineOff);
                return false;
            }

            var problem = await CheckHealthAsync(stoppingToken);
            if (problem is null)
            {
                var waited = _time.GetElapsedTime(started).TotalSeconds;
                Log.BackendHealthy(_logger, waited);
                return true;
            }

            if (problem != lastProblem)
            {
                Log.WaitingForBackend(_logger, problem);
                lastProblem = problem;
            }

            if (_time.GetElapsedTime(started) + interval > deadline)
            {
                return false;
            }

            await Task.Delay(interval, _time, stoppingToken);
            interval = interval * 2 < longest ? interval * 2 : longest;
        }
    }

    private async Task<double> MeasureAsync(BenchmarkCache cache, CancellationToken stoppingToken)
    {
        var spec = _options.Benchmark ?? (_embedded.Server is null ? DefaultBenchmark : DefaultEmbeddedBenchmark);
        var benchmark = BenchmarkFactory.Create(spec);
        var context = new BenchmarkContext
        {
            Backend = _benchmarkClient,
            Options = CreateBenchmarkOptions(),
            Logger = _loggers.CreateLogger("Vespa.Benchmarks." + benchmark.Name),
            TimeProvider = _time,
        };

        var identity = await benchmark.IdentifyAsync(context, stoppingToken) + " backend=" + _backend.Identity;
        if (cache.TryRead(benchmark.Name, identity) is { } cached)
        {
            Log.CacheUsed(_logger, benchmark.Name, cached.MaxThroughput, cached.Unit, _options.BenchmarkCacheFile);
            return cached.MaxThroughput;
        }

        Log.BenchmarkStarted(_logger, benchmark.Name, identity);
        var result = await benchmark.RunAsync(context, stoppingToken);
        cache.Write(new BenchmarkCacheEntry(benchmark.Name, identity, result.MaxThroughput, result.RunThroughputs, result.Unit, _time.GetUtcNow()));
        Log.BenchmarkFinished(_logger, benchmark.Name, result.MaxThroughput, result.Unit);
        return result.MaxThroughput;
    }

    private BenchmarkOptions CreateBenchmarkOptions()
    {
        var options = new BenchmarkOptions
        {
            Runs = _options.BenchmarkRuns,
            Warmup = _options.BenchmarkWarmup,
            MaxTokens = _options.BenchmarkMaxTokens,
            Model = _options.BenchmarkModel,
            ImageWidth = _options.BenchmarkTestWidth,
            ImageHeight = _options.BenchmarkTestHeight,
            Steps = _options.BenchmarkTestSteps,
            ComfyWorkflowFile = _options.ComfyuiBenchmarkFile,
        };

        // Concurrency is set only when something asks for it: each benchmark otherwise keeps its own
        // default (ComfyUI runs one job at a time). A serial or slot-limited worker never benchmarks
        // more concurrency than it will serve.
        var limit = _options.AllowParallel ? _options.MaxConcurrency : 1;
        if (_options.BenchmarkConcurrency is { } asked)
        {
            options.Concurrency = Math.Min(asked, limit ?? int.MaxValue);
        }
        else if (limit is { } slots && slots < options.Concurrency)
        {
            options.Concurrency = slots;
        }

        return options;
    }

    private async Task MonitorHealthAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            await Task.Delay(_options.HealthcheckPollInterval, _time, stoppingToken);
            await _monitor.RunOnceAsync(MonitorOnceAsync, stoppingToken);
        }
    }

    private async Task MonitorOnceAsync(CancellationToken stoppingToken)
    {
        var problem = await CheckHealthAsync(stoppingToken);
        if (problem is null)
        {
            _healthFailures = 0;
            _metrics.BackendHealthy.Set(1);
            _state.ClearHealthError();
            return;
        }

        _healthFailures++;
        _metrics.BackendHealthy.Set(0);
        Log.HealthCheckFailed(_logger, _healthFailures, _options.HealthcheckConsecutiveFailures, problem);
        if (_healthFailures >= _options.HealthcheckConsecutiveFailures)
        {
            _state.SetHealthError($"Backend failed {_options.HealthcheckConsecutiveFailures} consecutive healthchecks: {problem}");
        }
    }

    /// <summary>
    /// One health check; <c>null</c> when it answered 200, else what went wrong. Anything it throws (other than the
    /// stop) is a failed check, never the end of readiness or monitoring.
    /// </summary>
    private async Task<string?> CheckHealthAsync(CancellationToken stoppingToken)
    {
        try
        {
            return await TimedHttpAttempt.RunAsync(
                _options.HealthcheckTimeout,
                _time,
                ct => _health.GetAsync(_backend.Combine(_options.HealthcheckEndpoint), HttpCompletionOption.ResponseHeadersRead, ct),
                response => response.StatusCode == System.Net.HttpStatusCode.OK,
                stoppingToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            return $"{ex.GetType().Name}: {ex.Message}";
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 310, EventName = "WaitingForBackend", Level = LogLevel.Information, Message = "Waiting for the backend: {Problem}")]
        public static partial void WaitingForBackend(ILogger logger, string problem);

        [LoggerMessage(EventId = 311, EventName = "BackendHealthy", Level = LogLevel.Information, Message = "Backend healthy after {Seconds:0.0}s")]
        public static partial void BackendHealthy(ILogger logger, double seconds);

        [LoggerMessage(EventId = 312, EventName = "BenchmarkCacheUsed", Level = LogLevel.Information, Message = "Benchmark {Benchmark}: using the cached {Throughput} {Unit} from {File}")]
        public static partial void CacheUsed(ILogger logger, string benchmark, double throughput, string unit, string file);

        [LoggerMessage(EventId = 313, EventName = "BenchmarkStarted", Level = LogLevel.Information, Message = "Benchmark {Benchmark} started ({Identity})")]
        public static partial void BenchmarkStarted(ILogger logger, string benchmark, string identity);

        [LoggerMessage(EventId = 314, EventName = "BenchmarkFinished", Level = LogLevel.Information, Message = "Benchmark {Benchmark} measured {Throughput} {Unit}")]
        public static partial void BenchmarkFinished(ILogger logger, string benchmark, double throughput, string unit);

        [LoggerMessage(EventId = 315, EventName = "HealthCheckFailed", Level = LogLevel.Warning, Message = "Backend health check failed ({Failures}/{Threshold}): {Problem}")]
        public static partial void HealthCheckFailed(ILogger logger, int failures, int threshold, string problem);
    }
}
