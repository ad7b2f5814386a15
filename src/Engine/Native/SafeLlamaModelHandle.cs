namespace Vespa.Engine.Native;

/// <summary>Owns a <c>llama_model*</c>; released with <c>llama_model_free</c>.</summary>
/// <remarks>
/// A model may be shared by several contexts and threads (llama-native.md §10, pitfall 9). Each context holds a
/// reference on this handle (<see cref="SafeLlamaContextHandle"/>), so the model is freed only after its last
/// context.
/// </remarks>
internal sealed class SafeLlamaModelHandle : SafeLlamaHandleBase
{
    /// <summary>Called by the <c>LibraryImport</c> marshaller for returned handles.</summary>
    public SafeLlamaModelHandle()
    {
    }

    protected override bool ReleaseHandle()
    {
        LlamaNative.llama_model_free(handle);
        return true;
    }
}
