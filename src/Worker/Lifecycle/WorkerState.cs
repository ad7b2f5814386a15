using System.Collections.Concurrent;
using Vespa.Worker.Options;

namespace Vespa.Worker.Lifecycle;

/// <summary>
/// The one readiness state object (house rule 9): phase, load time and measured throughput, and
/// the error the autoscaler is told about. Written by the readiness service, the public-key
/// fetcher, the background loops and the shutdown hook; read lock-free by every request and
/// every report.
/// </summary>
/// <remarks>
/// <c>error_msg</c> joins every current problem (a start-up failure, stopping, no public key, no
/// public URL, a failing health check, a failing background loop) with "; ", so none hides
/// another. Only the start-up failure is permanent; the others clear themselves when their cause
/// goes away (the SDK never clears an error; a worker that recovers should not stay condemned).
/// <c>loadtime</c> stays 0 until the worker can really serve: the backend is ready and, when
/// secured, the autoscaler's public key is loaded.
/// </remarks>
internal sealed partial class WorkerState
{
    private readonly TimeProvider _time;
    private readonly long _startedAt;
    private readonly ILogger<WorkerState> _logger;
    private readonly Lock _transition = new();
    private readonly ConcurrentDictionary<string, string> _loopErrors = new(StringComparer.Ordinal);
    private readonly string _publicUrlError;
    private volatile WorkerPhase _phase = WorkerPhase.WaitingForBackend;
    private volatile string _startupError = "";
    private volatile string _healthError = "";
    private volatile string _keyError = "";
    private volatile string _stoppingMessage = "";
    private volatile string _engineError = "";
    private volatile bool _keyPending;
    private double _loadTimeSeconds;
    private double _maxThroughput;

    public WorkerState(TimeProvider time, WorkerOptions options, ILogger<WorkerState> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _time = time;
        _logger = logger;
        _startedAt = time.GetTimestamp();
        _keyPending = !options.Unsecured;
        _publicUrlError = options.PublicUrlProblem ?? "";
    }

    public WorkerPhase Phase => _phase;

    /// <summary>Requests are admitted: the backend is ready and the worker is not stopping.</summary>
    public bool IsReady => _phase == WorkerPhase.Ready && !IsStopping && _engineError.Length == 0;

    /// <summary>SIGTERM (or another stop) arrived: in-flight requests drain, new ones get 503.</summary>
    public bool IsStopping => _stoppingMessage.Length > 0;

    /// <summary>
    /// Seconds from process start until the worker could serve (the <c>loadtime</c> field): backend ready and,
    /// when secured, the public key loaded; 0 until then.
    /// </summary>
    public double LoadTimeSeconds => Volatile.Read(ref _loadTimeSeconds);

    /// <summary>Benchmark throughput in workload units per second (the <c>max_perf</c> field); 0 until measured.</summary>
    public double MaxThroughput => Volatile.Read(ref _maxThroughput);

    /// <summary>The <c>error_msg</c> field: every current problem, the permanent start-up failure first.</summary>
    public string ErrorMessage
    {
        get
        {
            var parts = new List<string>(4);
            Add(parts, _startupError);
            Add(parts, _stoppingMessage);
            Add(parts, _engineError);
            Add(parts, _keyError);
            Add(parts, _publicUrlError);
            Add(parts, _healthError);
            foreach (var error in _loopErrors.OrderBy(e => e.Key, StringComparer.Ordinal))
            {
                Add(parts, error.Value);
            }

            return string.Join("; ", parts);
        }
    }

    /// <summary>Time since the worker started.</summary>
    public TimeSpan Uptime => _time.GetElapsedTime(_startedAt);

    public void EnterBenchmarking()
    {
        _phase = WorkerPhase.Benchmarking;
        Log.PhaseChanged(_logger, WorkerPhase.Benchmarking);
    }

    public void MarkReady(double maxThroughput)
    {
        lock (_transition)
        {
            Volatile.Write(ref _maxThroughput, maxThroughput);
            _phase = WorkerPhase.Ready;
            Log.Ready(_logger, Uptime.TotalSeconds, maxThroughput);
            CompleteLoadingLocked();
        }
    }

    public void Fail(string error)
    {
        _startupError = error;
        _phase = WorkerPhase.Failed;
        Log.Failed(_logger, error);
    }

    public void SetHealthError(string error)
    {
        if (_healthError != error)
        {
            _healthError = error;
            Log.Unhealthy(_logger, error);
        }
    }

    public void ClearHealthError()
    {
        if (_healthError.Length > 0)
        {
            _healthError = "";
            Log.Recovered(_logger);
        }
    }

    /// <summary>The autoscaler's public key is loaded: its error clears and, if the backend is ready, the worker is.</summary>
    public void SetPublicKeyLoaded()
    {
        lock (_transition)
        {
            _keyError = "";
            _keyPending = false;
            CompleteLoadingLocked();
        }
    }

    /// <summary>Why the public key is still missing, for <c>error_msg</c> (secured requests get 401 meanwhile).</summary>
    public void SetPublicKeyError(string error) => _keyError = error;

    /// <summary>A background loop's iteration failed (<paramref name="error"/>) or succeeded again (<c>null</c>).</summary>
    public void SetLoopError(string loop, string? error)
    {
        if (error is null)
        {
            _loopErrors.TryRemove(loop, out _);
        }
        else
        {
            _loopErrors[loop] = error;
        }
    }

    /// <summary>
    /// The embedded engine can generate no more (its inference loop died): permanent, in <c>error_msg</c>, and every
    /// later request gets 503 with the reason at once.
    /// </summary>
    public void SetEngineFailure(string error)
    {
        _engineError = error;
        Log.EngineFailed(_logger, error);
    }

    /// <summary>The worker is stopping: requests are refused from now on and the autoscaler is told why.</summary>
    public void BeginStopping(string message)
    {
        _stoppingMessage = message;
        Log.Stopping(_logger, message);
    }

    /// <summary>Why requests are not forwarded now, for the 503 answer.</summary>
    public string NotReadyReason => IsStopping ? _stoppingMessage : _engineError.Length > 0 ? _engineError : _phase switch
    {
        WorkerPhase.WaitingForBackend => "waiting for the backend to become healthy",
        WorkerPhase.Benchmarking => "measuring backend throughput",
        WorkerPhase.Failed => "start-up failed: " + _startupError,
        _ => "ready",
    };

    private static void Add(List<string> parts, string value)
    {
        if (value.Length > 0)
        {
            parts.Add(value);
        }
    }

    private void CompleteLoadingLocked()
    {
        if (_phase != WorkerPhase.Ready || _keyPending || LoadTimeSeconds > 0)
        {
            return;
        }

        Volatile.Write(ref _loadTimeSeconds, Math.Max(Uptime.TotalSeconds, 1e-3));
        Log.Serving(_logger, LoadTimeSeconds);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 301, EventName = "PhaseChanged", Level = LogLevel.Information, Message = "Worker phase: {Phase}")]
        public static partial void PhaseChanged(ILogger logger, WorkerPhase phase);

        [LoggerMessage(EventId = 302, EventName = "Ready", Level = LogLevel.Information, Message = "Backend ready after {Seconds:0.00}s, max throughput {MaxPerf} workload/s")]
        public static partial void Ready(ILogger logger, double seconds, double maxPerf);

        [LoggerMessage(EventId = 303, EventName = "StartupFailed", Level = LogLevel.Error, Message = "Worker start-up failed: {Error}")]
        public static partial void Failed(ILogger logger, string error);

        [LoggerMessage(EventId = 304, EventName = "BackendUnhealthy", Level = LogLevel.Error, Message = "Backend unhealthy: {Error}")]
        public static partial void Unhealthy(ILogger logger, string error);

        [LoggerMessage(EventId = 305, EventName = "BackendRecovered", Level = LogLevel.Information, Message = "Backend healthy again; error cleared")]
        public static partial void Recovered(ILogger logger);

        [LoggerMessage(EventId = 306, EventName = "Serving", Level = LogLevel.Information, Message = "Worker ready to serve after {LoadTime:0.00}s (reported as loadtime)")]
        public static partial void Serving(ILogger logger, double loadTime);

        [LoggerMessage(EventId = 307, EventName = "Stopping", Level = LogLevel.Information, Message = "{Message}")]
        public static partial void Stopping(ILogger logger, string message);

        [LoggerMessage(EventId = 308, EventName = "EngineFailed", Level = LogLevel.Critical, Message = "{Error}; requests get 503 and error_msg says so until the worker is restarted")]
        public static partial void EngineFailed(ILogger logger, string error);
    }
}
