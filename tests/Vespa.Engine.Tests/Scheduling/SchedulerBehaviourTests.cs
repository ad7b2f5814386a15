using System.Text;
using Vespa.Engine.Native;
using Vespa.Engine.Scheduling;
using Vespa.Testing;

namespace Vespa.Engine.Tests.Scheduling;

/// <summary>
/// How the scheduler serves (issue 10): a newcomer joins the running batch at the next step, the idle inference
/// thread sleeps on a signal, a repeated prompt prefix is not decoded again, and the KV cache is one stream per
/// sequence.
/// </summary>
public sealed class SchedulerBehaviourTests : IClassFixture<TinyModelFixture>
{
    private static readonly LlamaSamplingOptions Greedy = new() { Temperature = 0 };

    private readonly TinyModelFixture _fixture;

    public SchedulerBehaviourTests(TinyModelFixture fixture)
    {
        _fixture = fixture;
    }

    [Fact]
    public async Task RequestAdmittedWhileAnotherDecodes_GetsItsFirstTokenBeforeTheOtherFinishes()
    {
        using var engine = _fixture.LoadEngine(parallel: 2);
        using var cancel = new CancellationTokenSource();
        var running = engine.Scheduler.Submit(engine.Tokenize("a long story"), Greedy, 1500, [], ignoreEos: true, cancel.Token);
        await running.Output.ReadAsync().AsTask().DefaultTimeout(); // it is generating

        var newcomer = engine.Scheduler.Submit(engine.Tokenize("hello"), Greedy, 4, [], ignoreEos: true, CancellationToken.None);
        var first = await newcomer.Output.ReadAsync().AsTask().DefaultTimeout();

        // The newcomer's prompt went into a step next to the running sequence's token: it did not wait for the
        // 1,500-token generation to end.
        Assert.Null(first.Finish);
        Assert.False(running.Output.Completion.IsCompleted, "the running generation finished before the newcomer's first token");
        var rest = await ReadAllAsync(newcomer);
        Assert.Equal(FinishReason.Length, rest[^1].Finish);
        Assert.False(running.Output.Completion.IsCompleted, "the newcomer waited for the running generation");
        await cancel.CancelAsync();

        // The long generation is not the subject: the demo model makes thousands of tokens a second, so it may reach
        // its length before the cancel does; either way it ends.
        var end = (await ReadAllAsync(running))[^1].Finish;
        Assert.True(end is FinishReason.Cancelled or FinishReason.Length, $"the running generation ended with {end}");
    }

    [Fact]
    public async Task Idle_InferenceThreadBlocksOnItsSignal_WakesOncePerRequest()
    {
        using var engine = _fixture.LoadEngine(parallel: 1);
        var scheduler = engine.Scheduler;
        await WaitIdleAsync(scheduler, 1); // started with nothing to do: blocked once, no step

        Assert.Equal(0, scheduler.Steps);
        Assert.Equal(1, scheduler.IdleWaits);
        var prompt = engine.Tokenize("count the steps");
        await ReadAllAsync(scheduler.Submit(prompt, Greedy, 3, [], ignoreEos: true, CancellationToken.None));
        await WaitIdleAsync(scheduler, 2);

        // One prefill step and two decode steps for three tokens; one wake for the request and none otherwise:
        // every return from the wait that finds nothing to do would be counted as another idle wait.
        Assert.Equal(3, scheduler.Steps);
        Assert.Equal(2, scheduler.IdleWaits);
        Assert.True((scheduler.Thread.ThreadState & ThreadState.WaitSleepJoin) != 0, scheduler.Thread.ThreadState.ToString());
    }

    [Fact]
    public async Task SamePromptAgain_DecodesOnlyItsLastToken_SameGreedyText()
    {
        using var engine = _fixture.LoadEngine(parallel: 2);
        var scheduler = engine.Scheduler;
        var prompt = engine.Tokenize("the quick brown fox jumps over the lazy dog");
        var (first, _) = await GenerateAsync(engine, prompt, 16);
        var decoded = scheduler.PromptTokens;
        Assert.Equal(prompt.Length, decoded);

        var (second, final) = await GenerateAsync(engine, prompt, 16);

        Assert.Equal(decoded + 1, scheduler.PromptTokens);
        Assert.Equal(prompt.Length - 1, scheduler.ReusedPromptTokens);
        Assert.Equal(prompt.Length, final.PromptTokens);
        Assert.Equal(first, second);
    }

    [Fact]
    public async Task LongerPromptSharingAPrefix_DecodesOnlyWhatDiffers_SameTextAsWithoutCache()
    {
        using var cached = _fixture.LoadEngine(parallel: 2);
        using var uncached = _fixture.LoadEngine(parallel: 2, promptCache: false);
        var turn1 = cached.Tokenize("hello world, how are you");
        var turn2 = cached.Tokenize("hello world, how are you today? fine thanks");
        var shared = turn1.AsSpan().CommonPrefixLength(turn2);
        Assert.True(shared > 4, $"{shared} shared tokens");

        await GenerateAsync(cached, turn1, 8);
        var before = cached.Scheduler.PromptTokens;
        var (withCache, _) = await GenerateAsync(cached, turn2, 16);
        var (withoutCache, _) = await GenerateAsync(uncached, turn2, 16);

        Assert.Equal(turn2.Length - shared, cached.Scheduler.PromptTokens - before);
        Assert.Equal(shared, cached.Scheduler.ReusedPromptTokens);
        Assert.Equal(0, uncached.Scheduler.ReusedPromptTokens);
        Assert.Equal(withoutCache, withCache);
    }

    [Fact]
    public void KvCache_OneStreamPerSequence_ContextSplitBetweenThem()
    {
        using var split = _fixture.LoadEngine(parallel: 4, contextSize: 2048);
        using var single = _fixture.LoadEngine(parallel: 1, contextSize: 2048);

        Assert.Equal(512, split.ContextSize);
        Assert.Equal(2048, single.ContextSize);
    }

    [Fact]
    public async Task FullSequence_EndsWithLength_OthersUnaffected()
    {
        using var engine = _fixture.LoadEngine(parallel: 2, contextSize: 512);
        var perSequence = engine.ContextSize;
        var prompt = engine.Tokenize("fill me up");

        var (_, final) = await GenerateAsync(engine, prompt, 100_000);

        Assert.Equal(FinishReason.Length, final.Finish);
        Assert.Equal(perSequence - prompt.Length, final.CompletionTokens);
        var (_, next) = await GenerateAsync(engine, engine.Tokenize("and again"), 5);
        Assert.Equal(5, next.CompletionTokens);
    }

    private static async Task WaitIdleAsync(InferenceScheduler scheduler, long idleWaits)
    {
        await TaskTimeoutExtensions.WaitUntilAsync(
            () => scheduler.IdleWaits >= idleWaits && (scheduler.Thread.ThreadState & ThreadState.WaitSleepJoin) != 0,
            "the inference thread to block");
    }

    private static async Task<(string Text, GenerationEvent Final)> GenerateAsync(LlamaEngine engine, int[] prompt, int maxTokens)
    {
        var events = await ReadAllAsync(engine.Scheduler.Submit(prompt, Greedy, maxTokens, [], ignoreEos: true, CancellationToken.None));
        var text = new StringBuilder();
        foreach (var item in events)
        {
            text.Append(item.Text);
        }

        return (text.ToString(), events[^1]);
    }

    private static async Task<List<GenerationEvent>> ReadAllAsync(GenerationRequest request)
    {
        var events = new List<GenerationEvent>();
        using var timeout = new CancellationTokenSource(TaskTimeoutExtensions.Timeout);
        await foreach (var item in request.Output.ReadAllAsync(timeout.Token))
        {
            events.Add(item);
        }

        return events;
    }
}
