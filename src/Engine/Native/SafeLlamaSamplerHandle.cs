namespace Vespa.Engine.Native;

/// <summary>Owns a <c>llama_sampler*</c> (a chain in Vespa); released with <c>llama_sampler_free</c>.</summary>
/// <remarks>
/// <c>llama_sampler_chain_add</c> takes ownership of the samplers added to a chain, so only the chain is owned
/// here (llama-native.md §10, pitfall 11). A sampler is stateful (penalties, RNG): one per sequence, one thread
/// at a time.
/// </remarks>
internal sealed class SafeLlamaSamplerHandle : SafeLlamaHandleBase
{
    /// <summary>Called by the <c>LibraryImport</c> marshaller for returned handles.</summary>
    public SafeLlamaSamplerHandle()
    {
    }

    protected override bool ReleaseHandle()
    {
        LlamaNative.llama_sampler_free(handle);
        return true;
    }
}
