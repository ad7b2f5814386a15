using System.Runtime.InteropServices;

namespace Vespa.Engine.Native;

/// <summary>
/// Owns a <c>llama_batch</c> from <c>llama_batch_init</c> (released with <c>llama_batch_free</c>) and fills it for
/// continuous batching (llama-native.md §6): per step <see cref="Clear"/>, then <see cref="Add(int, int, int, bool)"/>
/// the new tokens of every active sequence, with <c>logits</c> only on the last token of each, then
/// <see cref="LlamaContext.Decode"/>. Not thread-safe: one owner thread, like the context.
/// </summary>
internal sealed unsafe class LlamaBatchBuffer : SafeHandle
{
    private LlamaBatch _batch;

    /// <summary>Allocates room for <paramref name="capacity"/> tokens, each in up to <paramref name="maxSequencesPerToken"/> sequences.</summary>
    public LlamaBatchBuffer(int capacity, int maxSequencesPerToken = 1)
        : base(0, ownsHandle: true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSequencesPerToken, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxSequencesPerToken, LlamaNative.MaxSequences);
        LlamaRuntime.EnsureInitialized();

        _batch = LlamaNative.llama_batch_init(capacity, 0, maxSequencesPerToken);
        if (_batch.token == 0 || _batch.pos == 0 || _batch.n_seq_id == 0 || _batch.seq_id == 0 || _batch.logits == 0)
        {
            throw new InvalidOperationException($"llama_batch_init({capacity}, 0, {maxSequencesPerToken}) failed.");
        }

        SetHandle(_batch.token);
        _batch.n_tokens = 0;
        Capacity = capacity;
        MaxSequencesPerToken = maxSequencesPerToken;
    }

    /// <summary>How many tokens fit.</summary>
    public int Capacity { get; }

    /// <summary>How many sequence ids one token may carry.</summary>
    public int MaxSequencesPerToken { get; }

    /// <summary>How many tokens are in the batch.</summary>
    public int Count => _batch.n_tokens;

    /// <summary>How many more tokens fit.</summary>
    public int Remaining => Capacity - _batch.n_tokens;

    public override bool IsInvalid => handle == 0;

    /// <summary>The struct to pass to <c>llama_decode</c> (valid while this buffer is alive).</summary>
    internal LlamaBatch Batch
    {
        get
        {
            ObjectDisposedException.ThrowIf(IsClosed, this);
            return _batch;
        }
    }

    /// <summary>Empties the batch (the memory is reused).</summary>
    public void Clear()
    {
        ObjectDisposedException.ThrowIf(IsClosed, this);
        _batch.n_tokens = 0;
    }

    /// <summary>Appends a token of one sequence and returns its index in the batch (the index to sample from).</summary>
    /// <param name="token">The token id.</param>
    /// <param name="pos">Its position in its sequence.</param>
    /// <param name="seqId">The sequence id.</param>
    /// <param name="logits">Whether to compute the logits of this token (true for the last token of a sequence).</param>
    /// <exception cref="InvalidOperationException">The batch is full.</exception>
    public int Add(int token, int pos, int seqId, bool logits)
    {
        var i = Reserve();
        ((int*)_batch.token)[i] = token;
        ((int*)_batch.pos)[i] = pos;
        ((int*)_batch.n_seq_id)[i] = 1;
        ((int**)_batch.seq_id)[i][0] = seqId;
        ((sbyte*)_batch.logits)[i] = logits ? (sbyte)1 : (sbyte)0;
        _batch.n_tokens = i + 1;
        return i;
    }

    /// <summary>Appends a token shared by several sequences (e.g. a common prompt prefix) and returns its index.</summary>
    public int Add(int token, int pos, ReadOnlySpan<int> seqIds, bool logits)
    {
        if (seqIds.IsEmpty || seqIds.Length > MaxSequencesPerToken)
        {
            throw new ArgumentOutOfRangeException(nameof(seqIds), seqIds.Length, $"A token carries 1..{MaxSequencesPerToken} sequence ids in this batch.");
        }

        var i = Reserve();
        ((int*)_batch.token)[i] = token;
        ((int*)_batch.pos)[i] = pos;
        ((int*)_batch.n_seq_id)[i] = seqIds.Length;
        var ids = ((int**)_batch.seq_id)[i];
        for (var s = 0; s < seqIds.Length; s++)
        {
            ids[s] = seqIds[s];
        }

        ((sbyte*)_batch.logits)[i] = logits ? (sbyte)1 : (sbyte)0;
        _batch.n_tokens = i + 1;
        return i;
    }

    /// <summary>Turns the logits of an already added token on or off.</summary>
    public void SetLogits(int index, bool logits)
    {
        ObjectDisposedException.ThrowIf(IsClosed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, _batch.n_tokens);
        ((sbyte*)_batch.logits)[index] = logits ? (sbyte)1 : (sbyte)0;
    }

    protected override bool ReleaseHandle()
    {
        // llama_batch_free frees each array it allocated; n_tokens is irrelevant to it.
        LlamaNative.llama_batch_free(_batch);
        _batch = default;
        return true;
    }

    private int Reserve()
    {
        ObjectDisposedException.ThrowIf(IsClosed, this);
        var i = _batch.n_tokens;
        if (i >= Capacity)
        {
            throw new InvalidOperationException($"The batch is full ({Capacity} tokens): decode it or create a larger one.");
        }

        return i;
    }
}
