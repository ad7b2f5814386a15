using System.Runtime.InteropServices;

namespace Vespa.Engine.Native;

/// <summary><c>struct llama_token_data</c>: 12 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct LlamaTokenData
{
    /// <summary>Token id. Offset 0.</summary>
    public int id;

    /// <summary>Log-odds of the token. Offset 4.</summary>
    public float logit;

    /// <summary>Probability of the token. Offset 8.</summary>
    public float p;
}
