using System.Text;
using Vespa.Engine.Native;

namespace Vespa.Engine.Scheduling;

/// <summary>
/// A request that holds a sequence id in the shared context: where its prompt and generation
/// stand, its own sampler chain (penalties and the RNG are stateful), and its streaming text state.
/// Touched only by the inference thread.
/// </summary>
internal sealed class ActiveSequence : IDisposable
{
    private readonly Decoder _utf8 = new UTF8Encoding(false, false).GetDecoder();
    private readonly char[] _chars = new char[64];

    public ActiveSequence(GenerationRequest request, SequenceSlot slot, LlamaSampler sampler, int reusedTokens)
    {
        Request = request;
        Slot = slot;
        Sampler = sampler;
        Stops = new StopSequenceFilter(request.Stop);
        PromptDecoded = reusedTokens;
        Position = reusedTokens;
    }

    public GenerationRequest Request { get; }

    /// <summary>The sequence id and the tokens its KV cells hold.</summary>
    public SequenceSlot Slot { get; }

    public int SequenceId => Slot.Id;

    public LlamaSampler Sampler { get; }

    public StopSequenceFilter Stops { get; }

    /// <summary>Prompt tokens already in the KV cells (decoded now, or reused from the slot's previous request).</summary>
    public int PromptDecoded { get; set; }

    /// <summary>Tokens in this sequence's KV cells (the next position).</summary>
    public int Position { get; set; }

    /// <summary>The last sampled token, decoded in the next step.</summary>
    public int LastToken { get; set; } = -1;

    public int Generated { get; set; }

    /// <summary>Tokens added to the batch being decoded now.</summary>
    public int AddedThisStep { get; set; }

    /// <summary>Index in the current batch whose logits this sequence samples from; -1 for none.</summary>
    public int LogitsIndex { get; set; } = -1;

    public bool PromptDone => PromptDecoded >= Request.PromptTokens.Length;

    /// <summary>Turns token bytes into text, keeping a UTF-8 character split across tokens for the next one.</summary>
    public string Decode(ReadOnlySpan<byte> piece, bool flush = false)
    {
        // A token piece is short: one conversion into the buffer and one string is the rule, a builder the exception
        // (this runs on the inference thread once per token; garbage here is GC work next to ggml's threads).
        _utf8.Convert(piece, _chars, flush, out var used, out var produced, out var completed);
        if (completed)
        {
            return produced == 0 ? "" : new string(_chars, 0, produced);
        }

        var builder = new StringBuilder().Append(_chars, 0, produced);
        piece = piece[used..];
        while (!completed)
        {
            _utf8.Convert(piece, _chars, flush, out used, out produced, out completed);
            builder.Append(_chars, 0, produced);
            piece = piece[used..];
        }

        return builder.ToString();
    }

    public void Dispose() => Sampler.Dispose();
}
