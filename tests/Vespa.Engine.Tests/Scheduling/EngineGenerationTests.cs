using System.Text;
using Vespa.Engine.Native;
using Vespa.Engine.Scheduling;
using Vespa.Testing;

namespace Vespa.Engine.Tests.Scheduling;

/// <summary>Real generation with the tiny model through the scheduler: batching, cancellation, stops.</summary>
public sealed class EngineGenerationTests : IClassFixture<TinyModelFixture>
{
    private static readonly LlamaSamplingOptions Greedy = new() { Temperature = 0 };

    private readonly TinyModelFixture _fixture;

    public EngineGenerationTests(TinyModelFixture fixture)
    {
        _fixture = fixture;
    }

    private LlamaEngine Engine => _fixture.Engine;

    [Fact]
    public async Task Generate_IgnoringEos_ProducesExactlyMaxTokensWithLengthFinish()
    {
        var (text, final) = await GenerateAsync(Engine, "the quick brown fox", 16);

        Assert.Equal(FinishReason.Length, final.Finish);
        Assert.Equal(16, final.CompletionTokens);
        Assert.Equal(Engine.Tokenize("the quick brown fox").Length, final.PromptTokens);
        Assert.False(string.IsNullOrEmpty(text));
    }

    [Fact]
    public async Task Greedy_BatchedWithOthers_IdenticalToSolo()
    {
        string[] prompts = ["hello world", "the cat sat on the mat", "once upon a time", "a b c d e f g"];
        var solo = new List<string>();
        foreach (var prompt in prompts)
        {
            solo.Add((await GenerateAsync(Engine, prompt, 24)).Text);
        }

        // All four at once, arriving staggered so newcomers prefill while others decode.
        var batched = new List<Task<(string Text, GenerationEvent Final)>>();
        foreach (var prompt in prompts)
        {
            batched.Add(GenerateAsync(Engine, prompt, 24));
            await Task.Delay(2);
        }

        var results = await Task.WhenAll(batched).DefaultTimeout();
        Assert.Equal(solo, results.Select(r => r.Text));
    }

    [Fact]
    public async Task Cancel_FreesTheSequenceForTheNextRequest()
    {
        using var single = _fixture.LoadEngine(parallel: 1);
        using var cancel = new CancellationTokenSource();
        var longRun = single.Scheduler.Submit(single.Tokenize("long"), Greedy, 100_000, [], ignoreEos: true, cancel.Token);
        await longRun.Output.ReadAsync().AsTask().DefaultTimeout(); // it is generating

        await cancel.CancelAsync();
        var events = await ReadAllAsync(longRun);
        Assert.Equal(FinishReason.Cancelled, events[^1].Finish);

        // The only slot is free again: the next request completes.
        var (_, final) = await GenerateAsync(single, "next", 4);
        Assert.Equal(FinishReason.Length, final.Finish);
    }

    [Fact]
    public async Task Stop_CutsBeforeTheStopSequence()
    {
        var (full, _) = await GenerateAsync(Engine, "the quick brown fox", 32);
        Assert.True(full.Length > 8, full);
        var stop = full.Substring(full.Length / 2, 3);
        var expected = full[..full.IndexOf(stop, StringComparison.Ordinal)];

        var (cut, final) = await GenerateAsync(Engine, "the quick brown fox", 32, [stop]);

        Assert.Equal(FinishReason.Stop, final.Finish);
        Assert.Equal(expected, cut);
    }

    [Fact]
    public async Task MaxTokens_Honoured()
    {
        var (_, final) = await GenerateAsync(Engine, "hello", 5);

        Assert.Equal(5, final.CompletionTokens);
        Assert.Equal(FinishReason.Length, final.Finish);
    }

    [Fact]
    public async Task LongPrompt_ChunkedThroughSmallBatches()
    {
        var prompt = string.Join(' ', Enumerable.Repeat("the quick brown fox jumps over the lazy dog", 20));
        var tokens = Engine.Tokenize(prompt);
        Assert.True(tokens.Length > 512, $"{tokens.Length} tokens should exceed one batch");

        var (_, final) = await GenerateAsync(Engine, prompt, 4);

        Assert.Equal(tokens.Length, final.PromptTokens);
        Assert.Equal(4, final.CompletionTokens);
    }

    [Fact]
    public void FormatChat_UsesTheModelsChatmlTemplate()
    {
        var text = Engine.FormatChat([("system", "Be brief."), ("user", "Hi!")]);

        Assert.Equal("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi!<|im_end|>\n<|im_start|>assistant\n", text);
    }

    private static async Task<(string Text, GenerationEvent Final)> GenerateAsync(LlamaEngine engine, string prompt, int maxTokens, IReadOnlyList<string>? stop = null)
    {
        var request = engine.Scheduler.Submit(engine.Tokenize(prompt), Greedy, maxTokens, stop ?? [], ignoreEos: true, CancellationToken.None);
        var events = await ReadAllAsync(request);
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
        await foreach (var item in request.Output.ReadAllAsync().WithCancellation(CancellationToken.None))
        {
            events.Add(item);
        }

        return events;
    }
}
