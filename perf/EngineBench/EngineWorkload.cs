using System.Diagnostics;
using System.Text;
using Vespa.Engine;
using Vespa.Engine.Native;
using Vespa.Engine.Scheduling;

namespace Vespa.Perf.EngineBench;

/// <summary>
/// The workload of perf/engine/native_bench.c through Vespa's own stack: N requests with the same
/// prompt submitted together to <see cref="InferenceScheduler"/>, greedy (temperature 0), EOS
/// ignored, no stop strings, G tokens each, every event read by its own asynchronous consumer as
/// the API layer does.
/// </summary>
internal sealed class EngineWorkload
{
    private static readonly LlamaSamplingOptions Greedy = new() { Temperature = 0f };

    private readonly LlamaEngine _engine;
    private readonly int[] _prompt;
    private readonly int _sequences;
    private readonly int _tokens;

    public EngineWorkload(LlamaEngine engine, int[] prompt, int sequences, int tokens)
    {
        _engine = engine;
        _prompt = prompt;
        _sequences = sequences;
        _tokens = tokens;
    }

    public async Task<PassResult> RunPassAsync()
    {
        var scheduler = _engine.Scheduler;
        var clock = new PassClock(scheduler);
        var requests = new GenerationRequest[_sequences];
        for (var i = 0; i < _sequences; i++)
        {
            requests[i] = scheduler.Submit(_prompt, Greedy, _tokens, [], ignoreEos: true, CancellationToken.None);
        }

        var consumers = new Task<(int Completion, string Text)>[_sequences];
        for (var i = 0; i < _sequences; i++)
        {
            consumers[i] = ConsumeAsync(requests[i], clock, keepText: i == 0);
        }

        var results = await Task.WhenAll(consumers);
        long total = 0;
        foreach (var (completion, _) in results)
        {
            if (completion != _tokens)
            {
                throw new InvalidOperationException($"A request generated {completion} tokens instead of {_tokens}.");
            }

            total += completion;
        }

        // The window opens at the first event of the batch; the tokens out by then (whole steps of
        // N tokens: the prefill step, normally) are not counted.
        var stepsBefore = (clock.GeneratedAtFirst + _sequences - 1) / _sequences;
        var tokens = total - (stepsBefore * _sequences);
        var prefill = Stopwatch.GetElapsedTime(clock.Submitted, clock.First).TotalSeconds;
        var generation = Stopwatch.GetElapsedTime(clock.First, clock.Last).TotalSeconds;
        return new PassResult(prefill, generation, tokens, stepsBefore, Fnv1aAscii(results[0].Text), results[0].Text);
    }

    private static async Task<(int Completion, string Text)> ConsumeAsync(GenerationRequest request, PassClock clock, bool keepText)
    {
        var text = keepText ? new StringBuilder() : null;
        var reader = request.Output;
        while (await reader.WaitToReadAsync())
        {
            while (reader.TryRead(out var item))
            {
                clock.OnEvent(item.IsFinal);
                if (item.IsFinal)
                {
                    if (item.Finish != FinishReason.Length)
                    {
                        throw new InvalidOperationException($"A request finished with {item.Finish} instead of Length.");
                    }

                    return (item.CompletionTokens, text?.ToString() ?? "");
                }

                text?.Append(item.Text);
            }
        }

        throw new InvalidOperationException("A request's output ended without a final event.");
    }

    /// <summary>
    /// FNV-1a 64 over the ASCII characters only, as native_bench.c: the random demo models produce invalid
    /// UTF-8, which the scheduler's decoder turns into U+FFFD while C sees the raw bytes; ASCII is the same on both.
    /// </summary>
    private static ulong Fnv1aAscii(string text)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in text)
        {
            if (c < 0x80)
            {
                hash ^= c;
                hash *= 1099511628211UL;
            }
        }

        return hash;
    }
}
