namespace Vespa.Engine.Native;

/// <summary>Owns a <c>llama_context*</c>; released with <c>llama_free</c>, then releases its model.</summary>
/// <remarks>
/// A context is not thread-safe: use it from one thread at a time (llama-native.md §6, §10 pitfall 9; upstream
/// <c>llama_context</c> keeps per-call scratch state). The scheduler owns each context on one inference thread.
/// </remarks>
internal sealed class SafeLlamaContextHandle : SafeLlamaHandleBase
{
    private SafeLlamaModelHandle? _model;

    /// <summary>Called by the <c>LibraryImport</c> marshaller for returned handles.</summary>
    public SafeLlamaContextHandle()
    {
    }

    /// <summary>Keeps <paramref name="model"/> alive until this context is freed.</summary>
    internal void AttachModel(SafeLlamaModelHandle model)
    {
        var added = false;
        model.DangerousAddRef(ref added);
        _model = model;
    }

    protected override bool ReleaseHandle()
    {
        LlamaNative.llama_free(handle);
        _model?.DangerousRelease();
        _model = null;
        return true;
    }
}
