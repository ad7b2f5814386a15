using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Vespa.Engine.Models;
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

    [Theory]
    [InlineData(0f, 0u)]
    [InlineData(1f, 1u)]
    [InlineData(1f, 2u)]
    [InlineData(2f, 3u)]
    [InlineData(2f, 4u)]
    public async Task DemoModel_SpeaksWords_GreedyAndSampled(float temperature, uint seed)
    {
        // Plain sampling from the model's own distribution (no top-k/top-p/min-p cut), so only the
        // weights keep byte tokens and word pieces out. The revision-1 model emitted byte tokens
        // (lone UTF-8 bytes, U+FFFD) in about one token in six.
        var sampling = new LlamaSamplingOptions { Temperature = temperature, Seed = seed, TopK = 0, TopP = 1f, MinP = 0f };
        var words = DemoVocabulary.Default.Tokens.Where(t => t.StartsWith(DemoVocabulary.SpaceMarker, StringComparison.Ordinal) && t.Length > 1)
            .Select(t => t[1..]).ToHashSet(StringComparer.Ordinal);
        var prompt = Engine.FormatChat([("user", "hello vespa, café 😀 漢字\n")]);

        var request = Engine.Scheduler.Submit(Engine.Tokenize(prompt), sampling, 64, [], ignoreEos: true, CancellationToken.None);
        var events = await ReadAllAsync(request);
        var text = string.Concat(events.Select(e => e.Text));

        Assert.Equal(64, events[^1].CompletionTokens);
        Assert.DoesNotContain('\uFFFD', text);
        var spoken = text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(w => w.Trim('.', ',', '!', '?')).Where(w => w.Length > 0).ToList();
        Assert.True(spoken.Count >= 16, $"'{text}'");
        Assert.All(spoken, w => Assert.True(words.Contains(w), $"'{w}' in '{text}'"));
    }

    [Fact]
    public async Task WiderF16DemoModel_AlsoSpeaksWords()
    {
        // The residual stream grows with n_embd and n_ff, which shrinks the bias input after the
        // final norm: a wider F16 model (from the weight pool, like the medium benchmark model)
        // must still keep every non-word token out, sampled hot.
        var options = new DemoModelOptions { Layers = 4, EmbeddingLength = 512, HeadCount = 8, FeedForwardLength = 1408, F16 = true };
        var path = Path.Combine(Path.GetDirectoryName(_fixture.ModelPath)!, DemoModel.GetFileName(options));
        DemoModel.Generate(path, options);
        using var engine = LlamaEngine.Load(path, new EngineOptions { ParallelSequences = 1, ContextSize = 256, Threads = 1, GpuLayers = 0 }, NullLoggerFactory.Instance);
        var sampling = new LlamaSamplingOptions { Temperature = 2f, Seed = 5, TopK = 0, TopP = 1f, MinP = 0f };

        var request = engine.Scheduler.Submit(engine.Tokenize(engine.FormatChat([("user", "Grüße! 😀")])), sampling, 48, [], ignoreEos: true, CancellationToken.None);
        var text = string.Concat((await ReadAllAsync(request)).Select(e => e.Text));

        Assert.DoesNotContain('\uFFFD', text);
        Assert.Matches(@"^([ .,!?]|[A-Za-z])+$", text);
        Assert.True(text.Count(c => c == ' ') >= 12, $"'{text}'");
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
