using System.Diagnostics.CodeAnalysis;
using Vespa.Worker.Diagnostics;
using Vespa.Worker.Metrics;

namespace Vespa.Worker.Lifecycle;

/// <summary>
/// Runs the iterations of one background loop (a reporter, the health monitor, the public-key fetcher, the session
/// reaper) so that no failure can end it: an iteration that throws is logged (the first one, then at most one line
/// per <see cref="WarningPeriod"/>), counted in <c>vespa_worker_background_loop_failures_total{loop}</c> and put in
/// <c>error_msg</c> until an iteration succeeds again; then the next iteration runs. Only the stop signal ends a loop.
/// </summary>
/// <remarks>
/// An exception escaping <c>BackgroundService.ExecuteAsync</c> would stop the whole host by default: one bad value
/// (a cost of 1e308 made a report unwritable) took the worker down. <c>HostOptions.BackgroundServiceExceptionBehavior</c>
/// is also set to <c>Ignore</c> as a last line, but the loops catch for themselves so they keep running.
/// </remarks>
internal sealed partial class BackgroundLoop
{
    public static readonly TimeSpan WarningPeriod = TimeSpan.FromSeconds(30);

    private readonly WorkerState _state;
    private readonly ILogger _logger;
    private readonly LogThrottle _warnings;
    private readonly Prometheus.Counter.Child _failures;
    private int _consecutiveFailures;

    public BackgroundLoop(string name, WorkerState state, WorkerMetrics metrics, TimeProvider time, ILogger logger)
    {
        Name = name;
        _state = state;
        _logger = logger;
        _warnings = new LogThrottle(time, WarningPeriod);
        // Label values are the names in snake case ("worker_status_reporter"); the series exists (0) from the start.
        _failures = metrics.BackgroundLoopFailures.WithLabels(name.Replace(' ', '_'));
        _failures.Publish();
    }

    public string Name { get; }

    /// <summary>Failed iterations since the last success.</summary>
    public int ConsecutiveFailures => Volatile.Read(ref _consecutiveFailures);

    /// <summary>
    /// Runs one iteration; true when it succeeded. Cancellation by <paramref name="stoppingToken"/> is passed on (the
    /// loop is stopping); any other exception is a failed iteration.
    /// </summary>
    [SuppressMessage("Design", "CA1031:Do not catch general exception types", Justification = "A background loop must survive any failure of one iteration; it is logged, counted and reported.")]
    public async Task<bool> RunOnceAsync(Func<CancellationToken, Task> iteration, CancellationToken stoppingToken)
    {
        ArgumentNullException.ThrowIfNull(iteration);
        try
        {
            await iteration(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            var failures = Interlocked.Increment(ref _consecutiveFailures);
            _failures.Inc();
            _state.SetLoopError(Name, $"{Name} failing: {ex.GetType().Name}: {ex.Message}");
            if (failures == 1 || _warnings.TryEnter(out _))
            {
                Log.IterationFailed(_logger, ex, Name, failures);
            }

            return false;
        }

        if (Interlocked.Exchange(ref _consecutiveFailures, 0) > 0)
        {
            _state.SetLoopError(Name, null);
            Log.Recovered(_logger, Name);
        }

        return true;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 320, EventName = "BackgroundIterationFailed", Level = LogLevel.Error, Message = "The {Loop} failed ({Failures} in a row); it goes on with its next iteration")]
        public static partial void IterationFailed(ILogger logger, Exception exception, string loop, int failures);

        [LoggerMessage(EventId = 321, EventName = "BackgroundLoopRecovered", Level = LogLevel.Information, Message = "The {Loop} works again")]
        public static partial void Recovered(ILogger logger, string loop);
    }
}
