namespace Vespa.Engine.Scheduling;

/// <summary>
/// One sequence id of the context and the tokens its KV cells hold. A finished request leaves its
/// cells in place, so the next request whose prompt starts the same way (a chat's earlier turns,
/// a shared system prompt, a client repeating a prompt) decodes only what differs, as llama-server's
/// <c>cache_prompt</c> does. Touched only by the inference thread.
/// </summary>
internal sealed class SequenceSlot
{
    public SequenceSlot(int id)
    {
        Id = id;
    }

    public int Id { get; }

    /// <summary>A request is using the slot.</summary>
    public bool Busy { get; set; }

    /// <summary>The tokens in this sequence's KV cells, position by position.</summary>
    public List<int> Cached { get; } = [];

    /// <summary>When the slot was last released (a counter, for least-recently-used choice).</summary>
    public long ReleasedAt { get; set; }

    /// <summary>How many leading tokens of <paramref name="prompt"/> the cells already hold.</summary>
    public int CommonPrefix(ReadOnlySpan<int> prompt)
    {
        var cached = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(Cached);
        return prompt.CommonPrefixLength(cached);
    }
}
