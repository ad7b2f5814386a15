using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Vespa.Worker.Lifecycle;
using Vespa.Worker.Metrics;
using Vespa.Worker.Options;

namespace Vespa.Worker.Tests.Unit;

public sealed class BackgroundLoopTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly WorkerState _state;
    private readonly WorkerMetrics _metrics = new(Prometheus.Metrics.NewCustomRegistry());

    public BackgroundLoopTests()
    {
        _state = new WorkerState(_time, new WorkerOptions { Unsecured = true }, NullLogger<WorkerState>.Instance);
    }

    [Fact]
    public async Task FailingIteration_IsReportedInErrorMsg_AndTheNextOneClearsIt()
    {
        var loop = new BackgroundLoop("test loop", _state, _metrics, _time, NullLogger.Instance);

        Assert.False(await loop.RunOnceAsync(_ => throw new InvalidOperationException("boom"), CancellationToken.None));
        Assert.False(await loop.RunOnceAsync(_ => Task.FromException(new FormatException("bad")), CancellationToken.None));

        Assert.Equal("test loop failing: FormatException: bad", _state.ErrorMessage);
        Assert.Equal(2, loop.ConsecutiveFailures);
        Assert.Equal(2, _metrics.BackgroundLoopFailures.WithLabels("test_loop").Value);

        Assert.True(await loop.RunOnceAsync(_ => Task.CompletedTask, CancellationToken.None));
        Assert.Equal("", _state.ErrorMessage);
        Assert.Equal(0, loop.ConsecutiveFailures);
    }

    [Fact]
    public async Task StopSignal_EndsTheLoop_OtherCancellationsAreFailures()
    {
        var loop = new BackgroundLoop("test loop", _state, _metrics, _time, NullLogger.Instance);
        using var stopping = new CancellationTokenSource();

        // A timeout inside an iteration is a failure like any other...
        Assert.False(await loop.RunOnceAsync(_ => throw new OperationCanceledException("an attempt timed out"), stopping.Token));

        // ...but the stop signal passes through and ends the loop.
        await stopping.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => loop.RunOnceAsync(ct => Task.FromCanceled(ct), stopping.Token));
    }
}
