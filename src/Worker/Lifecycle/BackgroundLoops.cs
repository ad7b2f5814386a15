using Vespa.Worker.Metrics;

namespace Vespa.Worker.Lifecycle;

/// <summary>
/// Creates the <see cref="BackgroundLoop"/> guards and holds the start gate: no loop does anything before the
/// listener is bound (<c>ApplicationStarted</c>), so a worker that failed to launch (a taken port) sends no report,
/// probes nothing and leaves the field to the launch-failure beacon.
/// </summary>
internal sealed class BackgroundLoops
{
    private readonly WorkerState _state;
    private readonly WorkerMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly IHostApplicationLifetime _lifetime;

    public BackgroundLoops(WorkerState state, WorkerMetrics metrics, TimeProvider time, ILoggerFactory loggers, IHostApplicationLifetime lifetime)
    {
        _state = state;
        _metrics = metrics;
        _time = time;
        _loggers = loggers;
        _lifetime = lifetime;
    }

    /// <summary>True once the worker listens (its start completed).</summary>
    public bool Started => _lifetime.ApplicationStarted.IsCancellationRequested;

    public BackgroundLoop Create(string name, Type owner) =>
        new(name, _state, _metrics, _time, _loggers.CreateLogger(owner.FullName ?? owner.Name));

    /// <summary>Completes when the worker listens; throws <see cref="OperationCanceledException"/> when it stops first.</summary>
    public async Task WaitForStartAsync(CancellationToken stoppingToken)
    {
        if (Started)
        {
            return;
        }

        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (_lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        {
            await started.Task.WaitAsync(stoppingToken);
        }
    }
}
