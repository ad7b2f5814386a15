using System.Globalization;
using Vespa.Worker.Admission;
using Vespa.Worker.Options;

namespace Vespa.Worker.Lifecycle;

/// <summary>
/// What SIGTERM does, made exact (the stop sequence of the host, in order):
/// <list type="number">
/// <item>the stop signal: <see cref="WorkerState.BeginStopping"/>, so new requests get 503 and every report
/// carries "worker stopping …" in <c>error_msg</c> (the official worker has no field for it, vast-protocol.md
/// §4.1, and the autoscaler stops routing to a worker with an error);</item>
/// <item>Kestrel drains in-flight requests for up to <c>VESPA_DRAIN_TIMEOUT</c> (the host's shutdown timeout);
/// requests still running at that deadline are cut, which is logged as an error and makes the process exit 1;</item>
/// <item>the reporters send what is left: every <c>/delete_requests/</c> record, then a final
/// <c>/worker_status/</c>, within <see cref="FinalReportBudget"/> in all, so drain plus report fit inside
/// <c>docker stop</c>'s 10 s grace period with the default drain of 7 s.</item>
/// </list>
/// Its end-of-stop log (<see cref="StoppedAsync"/>) runs after every hosted service has stopped.
/// </summary>
internal sealed partial class ShutdownMonitor : IHostedLifecycleService, IDisposable
{
    /// <summary>Wall-clock time the final reports may take after the drain, all together.</summary>
    public static readonly TimeSpan FinalReportBudget = TimeSpan.FromSeconds(2);

    private readonly WorkerState _state;
    private readonly LoadTracker _load;
    private readonly WorkerOptions _options;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ILogger<ShutdownMonitor> _logger;
    private readonly Lock _lock = new();
    private CancellationTokenRegistration _stopping;
    private CancellationTokenRegistration _deadline;
    private CancellationTokenSource? _finalReport;
    private int _inFlightAtStop;
    private int _cut;

    public ShutdownMonitor(WorkerState state, LoadTracker load, WorkerOptions options, IHostApplicationLifetime lifetime, ILogger<ShutdownMonitor> logger)
    {
        _state = state;
        _load = load;
        _options = options;
        _lifetime = lifetime;
        _logger = logger;
    }

    /// <summary>0 after a clean stop; 1 when the drain deadline cut requests.</summary>
    public int ExitCode => Volatile.Read(ref _cut) > 0 ? 1 : 0;

    /// <summary>Requests cut by the drain deadline.</summary>
    public int CutRequests => Volatile.Read(ref _cut);

    /// <summary>
    /// The shared deadline of the final reports: it starts with the first caller (after the drain) and is wall-clock
    /// time on purpose, like the host's shutdown timeout and <c>docker stop</c>'s SIGKILL.
    /// </summary>
    public CancellationToken FinalReportToken
    {
        get
        {
            lock (_lock)
            {
                _finalReport ??= new CancellationTokenSource(FinalReportBudget, TimeProvider.System);
                return _finalReport.Token;
            }
        }
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken)
    {
        // Only a worker that started drains: a failed launch has nothing in flight and nobody to tell.
        _stopping = _lifetime.ApplicationStopping.Register(OnStopping);
        return Task.CompletedTask;
    }

    public Task StoppingAsync(CancellationToken cancellationToken)
    {
        // The host's stop token fires at its shutdown timeout (VESPA_DRAIN_TIMEOUT): whatever is still in flight
        // then is cut by Kestrel.
        _deadline.Dispose();
        _deadline = cancellationToken.Register(OnDrainDeadline);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken)
    {
        if (!_lifetime.ApplicationStarted.IsCancellationRequested)
        {
            return Task.CompletedTask;
        }

        if (CutRequests > 0)
        {
            Log.DrainCut(_logger, CutRequests, Seconds(_options.DrainTimeout));
        }
        else if (_inFlightAtStop > 0)
        {
            Log.Drained(_logger, _inFlightAtStop);
        }

        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _stopping.Dispose();
        _deadline.Dispose();
        _finalReport?.Dispose();
    }

    private void OnStopping()
    {
        _inFlightAtStop = _load.InFlightRequests;
        _state.BeginStopping($"worker stopping (SIGTERM): new requests are refused, {_inFlightAtStop} in flight get up to {Seconds(_options.DrainTimeout)}s (VESPA_DRAIN_TIMEOUT) to finish");
    }

    private void OnDrainDeadline()
    {
        var cut = _load.InFlightRequests;
        if (cut > 0 && _lifetime.ApplicationStarted.IsCancellationRequested)
        {
            Volatile.Write(ref _cut, cut);
            _state.BeginStopping($"worker stopping (SIGTERM): {cut} requests still running after {Seconds(_options.DrainTimeout)}s (VESPA_DRAIN_TIMEOUT) were cut");
        }
    }

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);

    private static partial class Log
    {
        [LoggerMessage(EventId = 330, EventName = "DrainCut", Level = LogLevel.Error, Message = "Stopped with {Count} requests cut: still running after the drain timeout of {Seconds}s (VESPA_DRAIN_TIMEOUT); exit code 1")]
        public static partial void DrainCut(ILogger logger, int count, string seconds);

        [LoggerMessage(EventId = 331, EventName = "Drained", Level = LogLevel.Information, Message = "Stopped after the {Count} in-flight requests finished")]
        public static partial void Drained(ILogger logger, int count);
    }
}
