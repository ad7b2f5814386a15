namespace Vespa.Worker.Lifecycle;

/// <summary>
/// The one readiness state object (house rule 9): phase, load time and measured throughput, and
/// the error the autoscaler is told about. Written by <see cref="ReadinessService"/>, read lock-free
/// by every request and every report.
/// </summary>
internal sealed partial class WorkerState
{
    private readonly TimeProvider _time;
    private readonly long _startedAt;
    private readonly ILogger<WorkerState> _logger;
    private volatile WorkerPhase _phase = WorkerPhase.WaitingForBackend;
    private volatile string _startupError = "";
    private volatile string _healthError = "";
    private double _loadTimeSeconds;
    private double _maxThroughput;

    public WorkerState(TimeProvider time, ILogger<WorkerState> logger)
    {
        _time = time;
        _logger = logger;
        _startedAt = time.GetTimestamp();
    }

    public WorkerPhase Phase => _phase;

    public bool IsReady => _phase == WorkerPhase.Ready;

    /// <summary>Seconds from process start to ready; 0 until then (the <c>loadtime</c> field).</summary>
    public double LoadTimeSeconds => Volatile.Read(ref _loadTimeSeconds);

    /// <summary>Benchmark throughput in workload units per second (the <c>max_perf</c> field); 0 until measured.</summary>
    public double MaxThroughput => Volatile.Read(ref _maxThroughput);

    /// <summary>The <c>error_msg</c> field: a start-up failure (permanent) or a health failure (cleared on recovery).</summary>
    public string ErrorMessage => _startupError.Length > 0 ? _startupError : _healthError;

    /// <summary>Time since the worker started.</summary>
    public TimeSpan Uptime => _time.GetElapsedTime(_startedAt);

    public void EnterBenchmarking()
    {
        _phase = WorkerPhase.Benchmarking;
        Log.PhaseChanged(_logger, WorkerPhase.Benchmarking);
    }

    public void MarkReady(double maxThroughput)
    {
        Volatile.Write(ref _maxThroughput, maxThroughput);
        Volatile.Write(ref _loadTimeSeconds, Math.Max(Uptime.TotalSeconds, 1e-3));
        _phase = WorkerPhase.Ready;
        Log.Ready(_logger, LoadTimeSeconds, maxThroughput);
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

    /// <summary>Why requests are not forwarded now, for the 503 answer.</summary>
    public string NotReadyReason => _phase switch
    {
        WorkerPhase.WaitingForBackend => "waiting for the backend to become healthy",
        WorkerPhase.Benchmarking => "measuring backend throughput",
        WorkerPhase.Failed => "start-up failed: " + _startupError,
        _ => "ready",
    };

    private static partial class Log
    {
        [LoggerMessage(EventId = 301, EventName = "PhaseChanged", Level = LogLevel.Information, Message = "Worker phase: {Phase}")]
        public static partial void PhaseChanged(ILogger logger, WorkerPhase phase);

        [LoggerMessage(EventId = 302, EventName = "Ready", Level = LogLevel.Information, Message = "Worker ready after {LoadTime:0.00}s, max throughput {MaxPerf} workload/s")]
        public static partial void Ready(ILogger logger, double loadTime, double maxPerf);

        [LoggerMessage(EventId = 303, EventName = "StartupFailed", Level = LogLevel.Error, Message = "Worker start-up failed: {Error}")]
        public static partial void Failed(ILogger logger, string error);

        [LoggerMessage(EventId = 304, EventName = "BackendUnhealthy", Level = LogLevel.Error, Message = "Backend unhealthy: {Error}")]
        public static partial void Unhealthy(ILogger logger, string error);

        [LoggerMessage(EventId = 305, EventName = "BackendRecovered", Level = LogLevel.Information, Message = "Backend healthy again; error cleared")]
        public static partial void Recovered(ILogger logger);
    }
}
