using Vespa.Engine.Native;
using Vespa.Engine.Scheduling;
using Vespa.Testing;

namespace Vespa.Engine.Tests.Scheduling;

/// <summary>
/// Issue 9 finding 8: when the inference loop dies, nobody waits for an idle timeout. The fault comes through the
/// scheduler's own seam (<see cref="InferenceScheduler.BeforeStep"/>), in the middle of a real generation.
/// </summary>
public sealed class InferenceLoopFailureTests : IClassFixture<TinyModelFixture>
{
    private static readonly LlamaSamplingOptions Greedy = new() { Temperature = 0 };

    private readonly TinyModelFixture _fixture;

    public InferenceLoopFailureTests(TinyModelFixture fixture)
    {
        _fixture = fixture;
    }

    [Fact]
    public async Task LoopDies_RunningWaitingAndLaterRequestsFailAtOnceWithTheReason()
    {
        using var engine = _fixture.LoadEngine(parallel: 1);
        var scheduler = engine.Scheduler;
        using var fault = new StepFault();
        scheduler.BeforeStep = fault.Run;

        var running = scheduler.Submit(engine.Tokenize("first"), Greedy, 8, [], ignoreEos: true, CancellationToken.None);
        await fault.Entered.DefaultTimeout(); // the loop is inside a step for "first"
        var waiting = scheduler.Submit(engine.Tokenize("second"), Greedy, 8, [], ignoreEos: true, CancellationToken.None);
        fault.Release();

        var reason = await scheduler.Failed.DefaultTimeout();
        Assert.Equal("the inference loop failed: InvalidOperationException: injected step fault", reason);
        Assert.Equal(reason, scheduler.FailureReason);
        foreach (var request in new[] { running, waiting })
        {
            var final = await request.Output.ReadAsync().AsTask().DefaultTimeout();
            Assert.Equal(FinishReason.Unavailable, final.Finish);
            Assert.Equal(reason, final.Error);
            await request.Output.Completion.DefaultTimeout();
        }

        var later = Assert.Throws<EngineUnavailableException>(() => scheduler.Submit(engine.Tokenize("third"), Greedy, 8, [], ignoreEos: true, CancellationToken.None));
        Assert.Equal(reason, later.Message);
    }
}
