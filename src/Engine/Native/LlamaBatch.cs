using System.Runtime.InteropServices;

namespace Vespa.Engine.Native;

/// <summary>
/// <c>struct llama_batch</c> at llama.cpp v0.5.0: 56 bytes, passed by value to <c>llama_decode</c> and
/// <c>llama_batch_free</c>, returned by value from <c>llama_batch_init</c>. Owned through
/// <see cref="LlamaBatchBuffer"/>.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct LlamaBatch
{
    /// <summary>Number of tokens in use. Offset 0.</summary>
    public int n_tokens;

    /// <summary><c>llama_token*</c> (int32). Offset 8.</summary>
    public nint token;

    /// <summary><c>float*</c> embeddings (NULL for token batches). Offset 16.</summary>
    public nint embd;

    /// <summary><c>llama_pos*</c> (int32). Offset 24.</summary>
    public nint pos;

    /// <summary><c>int32*</c>: number of sequence ids of each token. Offset 32.</summary>
    public nint n_seq_id;

    /// <summary><c>llama_seq_id**</c>: the sequence ids of each token. Offset 40.</summary>
    public nint seq_id;

    /// <summary><c>int8*</c>: nonzero = output logits for this token. Offset 48.</summary>
    public nint logits;
}
