using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Vespa.Engine.Native;

namespace Vespa.Engine.Tests.Native;

/// <summary>
/// The C# mirrors of the by-value structs must have exactly the v0.5.0 layouts (x86-64 SysV), as printed by
/// scripts/llama-layout-probe.sh from the real headers (llama-native.md §2). No native library is needed.
/// </summary>
public sealed class StructLayoutTests
{
    [Fact]
    public void LlamaModelParams_MatchesV050Layout()
    {
        AssertLayout<LlamaModelParams>(80,
        [
            ("devices", 0), ("tensor_buft_overrides", 8), ("n_gpu_layers", 16), ("split_mode", 20), ("load_mode", 24),
            ("lazy_mode", 28), ("main_gpu", 32), ("tensor_split", 40), ("progress_callback", 48),
            ("progress_callback_user_data", 56), ("kv_overrides", 64), ("vocab_only", 72), ("check_tensors", 73),
            ("use_extra_bufts", 74), ("no_host", 75), ("no_alloc", 76), ("load_mtp", 77),
        ]);
    }

    [Fact]
    public void LlamaContextParams_MatchesV050Layout()
    {
        AssertLayout<LlamaContextParams>(160,
        [
            ("n_ctx", 0), ("n_batch", 4), ("n_ubatch", 8), ("n_seq_max", 12), ("n_rs_seq", 16), ("n_outputs_max", 20),
            ("n_outputs_max_per_seq", 24), ("n_threads", 28), ("n_threads_batch", 32), ("ctx_type", 36),
            ("rope_scaling_type", 40), ("pooling_type", 44), ("attention_type", 48), ("flash_attn_type", 52),
            ("rope_freq_base", 56), ("rope_freq_scale", 60), ("yarn_ext_factor", 64), ("yarn_attn_factor", 68),
            ("yarn_beta_fast", 72), ("yarn_beta_slow", 76), ("yarn_orig_ctx", 80), ("defrag_thold", 84),
            ("cb_eval", 88), ("cb_eval_user_data", 96), ("type_k", 104), ("type_v", 108), ("abort_callback", 112),
            ("abort_callback_data", 120), ("embeddings", 128), ("offload_kqv", 129), ("no_perf", 130),
            ("op_offload", 131), ("swa_full", 132), ("kv_unified", 133), ("samplers", 136), ("n_samplers", 144),
            ("ctx_other", 152),
        ]);
    }

    [Fact]
    public void LlamaBatch_MatchesV050Layout()
    {
        AssertLayout<LlamaBatch>(56,
        [
            ("n_tokens", 0), ("token", 8), ("embd", 16), ("pos", 24), ("n_seq_id", 32), ("seq_id", 40), ("logits", 48),
        ]);
    }

    [Fact]
    public void SmallStructs_MatchV050Layouts()
    {
        AssertLayout<LlamaSamplerChainParams>(1, [("no_perf", 0)]);
        AssertLayout<LlamaChatMessage>(16, [("role", 0), ("content", 8)]);
        AssertLayout<LlamaTokenData>(12, [("id", 0), ("logit", 4), ("p", 8)]);
        AssertLayout<LlamaTokenDataArray>(32, [("data", 0), ("size", 8), ("selected", 16), ("sorted", 24)]);
        AssertLayout<LlamaPerfContextData>(48,
        [
            ("t_start_ms", 0), ("t_load_ms", 8), ("t_p_eval_ms", 16), ("t_eval_ms", 24), ("n_p_eval", 32), ("n_eval", 36),
            ("n_reused", 40),
        ]);
    }

    [Fact]
    public void LlamaModelKvOverride_Is264BytesWithTheUnionAt136()
    {
        Assert.Equal(264, Marshal.SizeOf<LlamaModelKvOverride>());
        Assert.Equal(264, Unsafe.SizeOf<LlamaModelKvOverride>());
        Assert.Equal(0, (int)Marshal.OffsetOf<LlamaModelKvOverride>(nameof(LlamaModelKvOverride.tag)));
        Assert.Equal(4, (int)Marshal.OffsetOf<LlamaModelKvOverride>(nameof(LlamaModelKvOverride.key)));
        Assert.Equal(136, (int)Marshal.OffsetOf<LlamaModelKvOverride>(nameof(LlamaModelKvOverride.val_i64)));
        Assert.Equal(136, (int)Marshal.OffsetOf<LlamaModelKvOverride>(nameof(LlamaModelKvOverride.val_f64)));
        Assert.Equal(136, (int)Marshal.OffsetOf<LlamaModelKvOverride>(nameof(LlamaModelKvOverride.val_bool)));
        Assert.Equal(136, (int)Marshal.OffsetOf<LlamaModelKvOverride>(nameof(LlamaModelKvOverride.val_str)));
    }

    [Fact]
    public void Enums_AreFourBytes()
    {
        // C enums are int on x86-64 SysV; the struct offsets above depend on it.
        Assert.Equal(4, Unsafe.SizeOf<LlamaSplitMode>());
        Assert.Equal(4, Unsafe.SizeOf<LlamaLoadMode>());
        Assert.Equal(4, Unsafe.SizeOf<LlamaLazyMode>());
        Assert.Equal(4, Unsafe.SizeOf<LlamaFlashAttnType>());
        Assert.Equal(4, Unsafe.SizeOf<GgmlType>());
        Assert.Equal(4, Unsafe.SizeOf<GgmlLogLevel>());
        Assert.Equal(4, Unsafe.SizeOf<GgmlBackendDevType>());
    }

    [Fact]
    public void EnumValues_MatchV050Headers()
    {
        Assert.Equal(-1, (int)LlamaLoadMode.Auto);
        Assert.Equal(4, (int)LlamaLoadMode.DirectIo);
        Assert.Equal(1, (int)LlamaLazyMode.Auto);
        Assert.Equal(1, (int)LlamaSplitMode.Layer);
        Assert.Equal(3, (int)LlamaSplitMode.Tensor);
        Assert.Equal(-1, (int)LlamaFlashAttnType.Auto);
        Assert.Equal(-1, (int)LlamaRopeScalingType.Unspecified);
        Assert.Equal(4, (int)LlamaPoolingType.Rank);
        Assert.Equal(1, (int)LlamaAttentionType.NonCausal);
        Assert.Equal(1, (int)LlamaContextType.Mtp);
        Assert.Equal(1, (int)GgmlType.F16);
        Assert.Equal(8, (int)GgmlType.Q8_0);
        Assert.Equal(30, (int)GgmlType.BF16);
        Assert.Equal(5, (int)GgmlLogLevel.Cont);
        Assert.Equal(1, (int)GgmlBackendDevType.Gpu);
        Assert.Equal(4, (int)GgmlBackendDevType.Meta);
        Assert.Equal(7, (int)LlamaVocabType.Test);
    }

    private static void AssertLayout<T>(int size, (string Field, int Offset)[] fields)
        where T : unmanaged
    {
        Assert.Equal(size, Marshal.SizeOf<T>());
        Assert.Equal(size, Unsafe.SizeOf<T>());

        // Every field is listed, in declaration order, so a field added or moved fails here.
        var declared = typeof(T).GetFields(BindingFlags.Public | BindingFlags.Instance)
            .OrderBy(f => (long)Marshal.OffsetOf<T>(f.Name))
            .Select(f => f.Name)
            .ToArray();
        Assert.Equal(fields.Select(f => f.Field).ToArray(), declared);

        foreach (var (field, offset) in fields)
        {
            Assert.True(offset == (int)Marshal.OffsetOf<T>(field), $"{typeof(T).Name}.{field}: expected offset {offset}, got {Marshal.OffsetOf<T>(field)}");
        }
    }
}
