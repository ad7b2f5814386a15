using Vespa.Client.Configuration;
using Vespa.Client.Resilience;
using Vespa.Client.Routing;
using Vespa.Testing;

namespace Vespa.Client.Tests.Resilience;

/// <summary>The shared pipeline with scripted attempt outcomes (tiny real delays).</summary>
public sealed class RequestPipelineTests
{
    private static readonly ClientSettings Settings = new()
    {
        AutoscalerUrl = new Uri("http://127.0.0.1:1"),
        ConsoleUrl = new Uri("http://127.0.0.1:1"),
        MaxRetries = 2,
        RetryBaseDelay = TimeSpan.FromMilliseconds(1),
        RetryMaxDelay = TimeSpan.FromMilliseconds(4),
        WaitingPollDelay = TimeSpan.FromMilliseconds(1),
        WaitingPollMaxDelay = TimeSpan.FromMilliseconds(4),
        AttemptTimeout = TimeSpan.FromMilliseconds(100),
        TotalTimeout = TimeSpan.FromSeconds(10),
    };

    [Fact]
    public async Task WaitingIsNotAFailure_PolledPastTheRetryLimit()
    {
        var (result, attempts) = await RunAsync(n => n <= 5 ? AttemptOutcome.Waiting("no workers ready") : Answered());

        Assert.Equal(OutcomeKind.Answered, result.Outcome!.Kind);
        Assert.Equal(6, attempts);
        Assert.Equal(5, result.State.WaitingPolls);
        Assert.Equal(0, result.State.Failures);
    }

    [Fact]
    public async Task TransientFailures_RetriedUpToTheLimit_LastOutcomeReturned()
    {
        var (result, attempts) = await RunAsync(n => AttemptOutcome.WorkerStatus("http://w", 502, null));

        Assert.Equal(3, attempts);
        Assert.Equal(OutcomeKind.WorkerStatus, result.Outcome!.Kind);
        Assert.Equal(3, result.State.Failures);
    }

    [Fact]
    public async Task Refusal_NotRetried()
    {
        var (result, attempts) = await RunAsync(_ => AttemptOutcome.RouteRefused("no", 401));

        Assert.Equal(1, attempts);
        Assert.Equal(OutcomeKind.RouteRefused, result.Outcome!.Kind);
    }

    [Fact]
    public async Task AttemptTimeout_CountsAsAFailure_ThenTimesOut()
    {
        var attempts = 0;
        var pipeline = RequestPipeline.Create(Settings, TimeProvider.System);
        var state = new CallState(NullProgressSink.Instance, CancellationToken.None);

        var result = await RequestPipeline.ExecuteAsync(pipeline, state, async (_, token) =>
        {
            attempts++;
            await Task.Delay(Timeout.Infinite, token);
            return Answered();
        }, CancellationToken.None).DefaultTimeout();

        Assert.True(result.TimedOut);
        Assert.Equal(3, attempts);
    }

    [Fact]
    public async Task CallerCancels_Cancelled_NotRetried()
    {
        using var cancel = new CancellationTokenSource();
        var attempts = 0;
        var pipeline = RequestPipeline.Create(Settings, TimeProvider.System);
        var state = new CallState(NullProgressSink.Instance, cancel.Token);

        var result = await RequestPipeline.ExecuteAsync(pipeline, state, async (_, token) =>
        {
            attempts++;
            await cancel.CancelAsync();
            token.ThrowIfCancellationRequested();
            return Answered();
        }, cancel.Token).DefaultTimeout();

        Assert.True(result.Cancelled);
        Assert.Equal(1, attempts);
    }

    [Fact]
    public void Backoff_DoublesToTheCap_JitterInTheUpperHalf()
    {
        Assert.Equal(TimeSpan.FromSeconds(0.5), RequestPipeline.Exponential(TimeSpan.FromSeconds(0.5), 0, TimeSpan.FromSeconds(5)));
        Assert.Equal(TimeSpan.FromSeconds(2), RequestPipeline.Exponential(TimeSpan.FromSeconds(0.5), 2, TimeSpan.FromSeconds(5)));
        Assert.Equal(TimeSpan.FromSeconds(5), RequestPipeline.Exponential(TimeSpan.FromSeconds(0.5), 40, TimeSpan.FromSeconds(5)));
        for (var i = 0; i < 100; i++)
        {
            var delay = RequestPipeline.Jitter(TimeSpan.FromSeconds(2));
            Assert.InRange(delay, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));
        }
    }

    [Fact]
    public void RouteAnswer_ReadyWaitingAndBroken()
    {
        var state = new CallState(NullProgressSink.Instance, CancellationToken.None);

        var (waiting, waitingOutcome) = AutoscalerClient.Parse("""{"endpoint": "e", "status": "cold start", "request_idx": 12}"""u8.ToArray(), state);
        Assert.Null(waiting);
        Assert.Equal(OutcomeKind.Waiting, waitingOutcome!.Kind);
        Assert.Contains("cold start", waitingOutcome.Message, StringComparison.Ordinal);
        Assert.Equal(12, state.RequestIdx);

        var (ready, _) = AutoscalerClient.Parse("""{"endpoint": "e", "url": "https://1.2.3.4:5/", "cost": 1, "reqnum": 3, "signature": "s", "request_idx": 12, "__request_id": "x"}"""u8.ToArray(), state);
        Assert.Equal("https://1.2.3.4:5", ready!.WorkerUrl);

        // A missing request_idx keeps the one the call already has.
        var (_, noIdx) = AutoscalerClient.Parse("""{"endpoint": "e"}"""u8.ToArray(), state);
        Assert.Equal(OutcomeKind.Waiting, noIdx!.Kind);
        Assert.Equal(12, state.RequestIdx);

        Assert.Equal(OutcomeKind.RouteUnavailable, AutoscalerClient.Parse("<html>"u8.ToArray(), state).Outcome!.Kind);
        Assert.Equal(OutcomeKind.RouteUnavailable, AutoscalerClient.Parse("""{"url": "https://w"}"""u8.ToArray(), state).Outcome!.Kind);
        Assert.Equal(OutcomeKind.RouteUnavailable, AutoscalerClient.Parse("""{"url": "ftp://w", "cost": 1, "endpoint": "e", "reqnum": 1, "request_idx": 1, "signature": "s"}"""u8.ToArray(), state).Outcome!.Kind);
    }

    private static AttemptOutcome Answered() => AttemptOutcome.Relayed("http://w", 200);

    private static async Task<(CallResult Result, int Attempts)> RunAsync(Func<int, AttemptOutcome> script)
    {
        var attempts = 0;
        var pipeline = RequestPipeline.Create(Settings, TimeProvider.System);
        var state = new CallState(NullProgressSink.Instance, CancellationToken.None);
        var result = await RequestPipeline.ExecuteAsync(pipeline, state, (_, _) => ValueTask.FromResult(script(++attempts)), CancellationToken.None).DefaultTimeout();
        return (result, attempts);
    }
}
