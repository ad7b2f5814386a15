namespace Vespa.Engine.Native;

/// <summary>How <see cref="LlamaContext.Create"/> creates a context (llama-native.md §6).</summary>
internal sealed record LlamaContextOptions
{
    /// <summary>Total KV cells (<c>n_ctx</c>); 0 = the model's training context.</summary>
    /// <value>The default value is 4096.</value>
    public uint ContextSize { get; init; } = 4096;

    /// <summary>The largest batch submitted to one decode (<c>n_batch</c>).</summary>
    /// <value>The default value is 2048.</value>
    public uint BatchSize { get; init; } = 2048;

    /// <summary>The physical batch size (<c>n_ubatch</c>).</summary>
    /// <value>The default value is 512.</value>
    public uint UBatchSize { get; init; } = 512;

    /// <summary>Sequences served at once (<c>n_seq_max</c>, at most 256).</summary>
    /// <value>The default value is 1.</value>
    public uint MaxSequences { get; init; } = 1;

    /// <summary>Threads for generation; 0 = <see cref="Environment.ProcessorCount"/>.</summary>
    /// <value>The default value is 0.</value>
    public int Threads { get; init; }

    /// <summary>Threads for prompt batches; 0 = <see cref="Threads"/>.</summary>
    /// <value>The default value is 0.</value>
    public int ThreadsBatch { get; init; }

    /// <summary>
    /// One KV buffer shared by all sequences (<c>kv_unified</c>): each sequence may use up to the whole context and
    /// any sequence id below 256 is accepted. When false, the context is split evenly and ids must be below
    /// <see cref="MaxSequences"/>.
    /// </summary>
    /// <value>The default value is true.</value>
    public bool UnifiedKv { get; init; } = true;

    /// <summary>The defaults.</summary>
    public static LlamaContextOptions Default { get; } = new();
}
