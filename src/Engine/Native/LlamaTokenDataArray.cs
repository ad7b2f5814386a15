using System.Runtime.InteropServices;

namespace Vespa.Engine.Native;

/// <summary><c>struct llama_token_data_array</c>: 32 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct LlamaTokenDataArray
{
    /// <summary><c>llama_token_data*</c>; samplers may replace it. Offset 0.</summary>
    public nint data;

    /// <summary><c>size_t</c>. Offset 8.</summary>
    public nuint size;

    /// <summary>Index in <c>data</c> (not the token id) of the selected token. Offset 16.</summary>
    public long selected;

    /// <summary>C bool: whether <c>data</c> is sorted by logit. Offset 24.</summary>
    public byte sorted;
}
