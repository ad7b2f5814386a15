namespace Vespa.Engine.Native;

/// <summary>
/// A llama.cpp context: the KV cache and the decode state over a <see cref="LlamaModel"/>.
/// </summary>
/// <remarks>
/// Not thread-safe: use it from one thread at a time (llama-native.md §6, §10 pitfall 9). <c>llama_decode</c> blocks
/// and spins ggml's worker threads, so the scheduler runs it on a dedicated thread that owns the context and its
/// batch, never on the ThreadPool.
/// </remarks>
internal sealed class LlamaContext : IDisposable
{
    private readonly nint _memory;

    private LlamaContext(SafeLlamaContextHandle handle, LlamaModel model)
    {
        Handle = handle;
        Model = model;
        _memory = LlamaNative.llama_get_memory(handle);
    }

    /// <summary>The native handle.</summary>
    public SafeLlamaContextHandle Handle { get; }

    /// <summary>The model.</summary>
    public LlamaModel Model { get; }

    /// <summary>The actual context size (<c>llama_n_ctx</c>; may differ from the requested one).</summary>
    public uint ContextSize => LlamaNative.llama_n_ctx(Handle);

    /// <summary>The actual per-sequence context size (<c>llama_n_ctx_seq</c>).</summary>
    public uint SequenceContextSize => LlamaNative.llama_n_ctx_seq(Handle);

    /// <summary>The actual <c>n_batch</c>.</summary>
    public uint BatchSize => LlamaNative.llama_n_batch(Handle);

    /// <summary>The actual <c>n_ubatch</c>.</summary>
    public uint UBatchSize => LlamaNative.llama_n_ubatch(Handle);

    /// <summary>The actual <c>n_seq_max</c>.</summary>
    public uint MaxSequences => LlamaNative.llama_n_seq_max(Handle);

    /// <summary>Timings of this context (only measured when created with perf on).</summary>
    public LlamaPerfContextData Performance => LlamaNative.llama_perf_context(Handle);

    /// <summary>Creates a context.</summary>
    /// <exception cref="InvalidOperationException">llama.cpp refused (e.g. out of memory); the message has its log lines.</exception>
    public static LlamaContext Create(LlamaModel model, LlamaContextOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= LlamaContextOptions.Default;
        ArgumentOutOfRangeException.ThrowIfZero(options.BatchSize);
        ArgumentOutOfRangeException.ThrowIfZero(options.UBatchSize);
        ArgumentOutOfRangeException.ThrowIfZero(options.MaxSequences);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.MaxSequences, (uint)LlamaNative.MaxSequences);
        ArgumentOutOfRangeException.ThrowIfNegative(options.Threads);
        ArgumentOutOfRangeException.ThrowIfNegative(options.ThreadsBatch);
        LlamaRuntime.EnsureInitialized();

        var threads = options.Threads > 0 ? options.Threads : Environment.ProcessorCount;
        var parameters = LlamaNative.llama_context_default_params();
        parameters.n_ctx = options.ContextSize;
        parameters.n_batch = options.BatchSize;
        parameters.n_ubatch = Math.Min(options.UBatchSize, options.BatchSize);
        parameters.n_seq_max = options.MaxSequences;
        parameters.n_threads = threads;
        parameters.n_threads_batch = options.ThreadsBatch > 0 ? options.ThreadsBatch : threads;
        parameters.kv_unified = options.UnifiedKv ? (byte)1 : (byte)0;

        LlamaRuntime.ClearNativeErrors();
        var handle = LlamaNative.llama_init_from_model(model.Handle, parameters);
        if (handle.IsInvalid)
        {
            handle.Dispose();
            throw new InvalidOperationException($"llama.cpp could not create a context for '{model.Path}': {LlamaRuntime.TakeNativeErrors()}");
        }

        handle.AttachModel(model.Handle);
        return new LlamaContext(handle, model);
    }

    /// <summary>
    /// Decodes <paramref name="batch"/> and returns llama.cpp's code: 0 ok; 1 no KV slot (shrink the batch or free
    /// sequences); 2 aborted; -1 invalid batch; &lt; -1 fatal.
    /// </summary>
    public int Decode(LlamaBatchBuffer batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var added = false;
        batch.DangerousAddRef(ref added);
        try
        {
            return LlamaNative.llama_decode(Handle, batch.Batch);
        }
        finally
        {
            batch.DangerousRelease();
        }
    }

    /// <summary>Frees the KV cells of sequence <paramref name="sequenceId"/> (a whole sequence never fails).</summary>
    public bool RemoveSequence(int sequenceId)
    {
        using var scope = new ContextScope(Handle);
        return LlamaNative.llama_memory_seq_rm(_memory, sequenceId, -1, -1);
    }

    /// <summary>
    /// Frees the cells of <paramref name="sequenceId"/> from position <paramref name="from"/> on (keeping a prefix for
    /// reuse). False when the memory cannot cut a sequence partway (recurrent models); then nothing was removed.
    /// </summary>
    public bool RemoveSequenceTokens(int sequenceId, int from)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(from);
        using var scope = new ContextScope(Handle);
        return LlamaNative.llama_memory_seq_rm(_memory, sequenceId, from, -1);
    }

    /// <summary>Shares all cells of <paramref name="source"/> with <paramref name="destination"/> (a common prefix).</summary>
    public void CopySequence(int source, int destination)
    {
        using var scope = new ContextScope(Handle);
        LlamaNative.llama_memory_seq_cp(_memory, source, destination, -1, -1);
    }

    /// <summary>The largest position of <paramref name="sequenceId"/> in the KV cache, or -1 when it is empty.</summary>
    public int SequencePositionMax(int sequenceId)
    {
        using var scope = new ContextScope(Handle);
        return LlamaNative.llama_memory_seq_pos_max(_memory, sequenceId);
    }

    /// <summary>Empties the KV cache of all sequences.</summary>
    public void ClearMemory()
    {
        using var scope = new ContextScope(Handle);
        LlamaNative.llama_memory_clear(_memory, true);
    }

    public void Dispose() => Handle.Dispose();

    /// <summary>Holds a reference on the context while its borrowed <c>llama_memory_t</c> is used.</summary>
    private readonly ref struct ContextScope
    {
        private readonly SafeLlamaContextHandle _handle;

        public ContextScope(SafeLlamaContextHandle handle)
        {
            var added = false;
            handle.DangerousAddRef(ref added);
            _handle = handle;
        }

        public void Dispose() => _handle.DangerousRelease();
    }
}
