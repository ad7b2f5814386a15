using System.Runtime.InteropServices;

namespace Vespa.Engine.Native;

/// <summary><c>struct llama_sampler_chain_params</c>: 1 byte, passed by value to <c>llama_sampler_chain_init</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct LlamaSamplerChainParams
{
    /// <summary>Do not measure performance timings (default 1).</summary>
    public byte no_perf;
}
