using System.Runtime.InteropServices;

namespace Vespa.Engine.Native;

/// <summary>
/// <c>struct llama_context_params</c> at llama.cpp v0.5.0: 160 bytes, passed by value to
/// <c>llama_init_from_model</c>. Blittable: C <c>bool</c> is <see cref="byte"/>, pointers and callbacks are
/// <see cref="nint"/>. Field names and order are the header's (llama-native.md §2); do not reorder.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct LlamaContextParams
{
    /// <summary>Text context; 0 = from the model. Offset 0 (default 512).</summary>
    public uint n_ctx;

    /// <summary>Logical maximum batch size submitted to <c>llama_decode</c>. Offset 4 (default 2048).</summary>
    public uint n_batch;

    /// <summary>Physical maximum batch size. Offset 8 (default 512).</summary>
    public uint n_ubatch;

    /// <summary>Maximum number of sequences. Offset 12 (default 1).</summary>
    public uint n_seq_max;

    /// <summary>Recurrent-state snapshots per sequence (experimental). Offset 16 (default 0).</summary>
    public uint n_rs_seq;

    /// <summary>Maximum outputs in a ubatch; 0 = n_batch. Offset 20 (default 0).</summary>
    public uint n_outputs_max;

    /// <summary>Maximum outputs per sequence; 0 = n_outputs_max (new in v0.5.0). Offset 24 (default 1).</summary>
    public uint n_outputs_max_per_seq;

    /// <summary>Threads for generation. Offset 28 (default 4).</summary>
    public int n_threads;

    /// <summary>Threads for batch processing. Offset 32 (default 4).</summary>
    public int n_threads_batch;

    /// <summary>Offset 36 (default <see cref="LlamaContextType.Default"/>).</summary>
    public LlamaContextType ctx_type;

    /// <summary>Offset 40 (default <see cref="LlamaRopeScalingType.Unspecified"/>).</summary>
    public LlamaRopeScalingType rope_scaling_type;

    /// <summary>Offset 44 (default <see cref="LlamaPoolingType.Unspecified"/>).</summary>
    public LlamaPoolingType pooling_type;

    /// <summary>Offset 48 (default <see cref="LlamaAttentionType.Unspecified"/>).</summary>
    public LlamaAttentionType attention_type;

    /// <summary>Offset 52 (default <see cref="LlamaFlashAttnType.Auto"/>).</summary>
    public LlamaFlashAttnType flash_attn_type;

    /// <summary>RoPE base frequency; 0 = from the model. Offset 56.</summary>
    public float rope_freq_base;

    /// <summary>RoPE frequency scaling factor; 0 = from the model. Offset 60.</summary>
    public float rope_freq_scale;

    /// <summary>YaRN extrapolation mix factor; negative = from the model. Offset 64 (default -1).</summary>
    public float yarn_ext_factor;

    /// <summary>Offset 68 (default -1).</summary>
    public float yarn_attn_factor;

    /// <summary>Offset 72 (default -1).</summary>
    public float yarn_beta_fast;

    /// <summary>Offset 76 (default -1).</summary>
    public float yarn_beta_slow;

    /// <summary>Offset 80 (default 0).</summary>
    public uint yarn_orig_ctx;

    /// <summary>Deprecated. Offset 84 (default -1).</summary>
    public float defrag_thold;

    /// <summary><c>ggml_backend_sched_eval_callback</c>. Offset 88.</summary>
    public nint cb_eval;

    /// <summary>Offset 96.</summary>
    public nint cb_eval_user_data;

    /// <summary>K cache type (experimental). Offset 104 (default <see cref="GgmlType.F16"/>).</summary>
    public GgmlType type_k;

    /// <summary>V cache type (experimental). Offset 108 (default <see cref="GgmlType.F16"/>).</summary>
    public GgmlType type_v;

    /// <summary><c>bool (*)(void*)</c>: returning true aborts <c>llama_decode</c> (CPU only). Offset 112.</summary>
    public nint abort_callback;

    /// <summary>Offset 120.</summary>
    public nint abort_callback_data;

    /// <summary>Extract embeddings together with logits. Offset 128 (default 0).</summary>
    public byte embeddings;

    /// <summary>Offload the KQV ops and the KV cache to the GPU. Offset 129 (default 1).</summary>
    public byte offload_kqv;

    /// <summary>Do not measure performance timings. Offset 130 (default 1).</summary>
    public byte no_perf;

    /// <summary>Offload host tensor operations to the device. Offset 131 (default 1).</summary>
    public byte op_offload;

    /// <summary>Full-size SWA cache. Offset 132 (default 1).</summary>
    public byte swa_full;

    /// <summary>One KV buffer shared by all sequences. Offset 133 (default 0).</summary>
    public byte kv_unified;

    /// <summary><c>llama_sampler_seq_config*</c> (experimental backend samplers). Offset 136.</summary>
    public nint samplers;

    /// <summary><c>size_t</c>. Offset 144.</summary>
    public nuint n_samplers;

    /// <summary><c>llama_context*</c>: a source/target/parent context. Offset 152.</summary>
    public nint ctx_other;
}
