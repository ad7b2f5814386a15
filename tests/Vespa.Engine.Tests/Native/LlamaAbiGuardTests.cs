using Vespa.Engine.Native;

namespace Vespa.Engine.Tests.Native;

/// <summary>The comparison itself, on hand-made structs (no native library).</summary>
public sealed class LlamaAbiGuardTests
{
    [Fact]
    public void Check_DocumentedDefaults_Pass()
    {
        Assert.Empty(LlamaAbiGuard.Check("0.5.0-dev", ModelDefaults(), ContextDefaults(), new LlamaSamplerChainParams { no_perf = 1 }));
        Assert.Empty(LlamaAbiGuard.Check("0.5.0", ModelDefaults(), ContextDefaults(), new LlamaSamplerChainParams { no_perf = 1 }));
    }

    [Theory]
    [InlineData("0.4.9")]
    [InlineData("0.5.01")]
    [InlineData("b4500")]
    [InlineData(null)]
    public void Check_OtherVersion_Fails(string? version)
    {
        var errors = LlamaAbiGuard.Check(version, ModelDefaults(), ContextDefaults(), new LlamaSamplerChainParams { no_perf = 1 });

        Assert.Contains(errors, e => e.Contains("llama_version()", StringComparison.Ordinal));
    }

    [Fact]
    public void Check_ShiftedModelParams_Fail()
    {
        // What an older header (use_mmap/use_mlock bools instead of load_mode/lazy_mode) would look like.
        var model = ModelDefaults();
        model.load_mode = LlamaLoadMode.None;
        model.lazy_mode = LlamaLazyMode.Off;
        model.use_extra_bufts = 0;

        var errors = LlamaAbiGuard.Check("0.5.0-dev", model, ContextDefaults(), new LlamaSamplerChainParams { no_perf = 1 });

        Assert.Equal(3, errors.Count);
        Assert.Contains(errors, e => e.StartsWith("model.load_mode", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("model.lazy_mode", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("model.use_extra_bufts", StringComparison.Ordinal));
    }

    [Fact]
    public void Check_ContextParamsWithoutNOutputsMaxPerSeq_Fail()
    {
        // A header without n_outputs_max_per_seq shifts n_threads into its slot.
        var context = ContextDefaults();
        context.n_outputs_max_per_seq = 4;
        context.n_threads = 4;
        context.n_threads_batch = 0;

        var errors = LlamaAbiGuard.Check("0.5.0-dev", ModelDefaults(), context, new LlamaSamplerChainParams { no_perf = 1 });

        Assert.Contains(errors, e => e.StartsWith("context.n_outputs_max_per_seq = 4, expected 1", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("context.n_threads_batch", StringComparison.Ordinal));
    }

    [Fact]
    public void Check_EveryContextDefaultIsCompared()
    {
        var context = ContextDefaults();
        context.n_ctx = 1024;
        context.type_k = GgmlType.F32;
        context.kv_unified = 1;
        context.yarn_ext_factor = 0;

        var errors = LlamaAbiGuard.Check("0.5.0-dev", ModelDefaults(), context, new LlamaSamplerChainParams { no_perf = 0 });

        Assert.Equal(5, errors.Count);
        Assert.Contains("context.n_ctx = 1024, expected 512", errors);
    }

    internal static LlamaModelParams ModelDefaults() => new()
    {
        n_gpu_layers = -1,
        split_mode = LlamaSplitMode.Layer,
        load_mode = LlamaLoadMode.Auto,
        lazy_mode = LlamaLazyMode.Auto,
        use_extra_bufts = 1,
    };

    internal static LlamaContextParams ContextDefaults() => new()
    {
        n_ctx = 512,
        n_batch = 2048,
        n_ubatch = 512,
        n_seq_max = 1,
        n_outputs_max_per_seq = 1,
        n_threads = 4,
        n_threads_batch = 4,
        rope_scaling_type = LlamaRopeScalingType.Unspecified,
        pooling_type = LlamaPoolingType.Unspecified,
        attention_type = LlamaAttentionType.Unspecified,
        flash_attn_type = LlamaFlashAttnType.Auto,
        yarn_ext_factor = -1,
        yarn_attn_factor = -1,
        yarn_beta_fast = -1,
        yarn_beta_slow = -1,
        defrag_thold = -1,
        type_k = GgmlType.F16,
        type_v = GgmlType.F16,
        offload_kqv = 1,
        no_perf = 1,
        op_offload = 1,
        swa_full = 1,
    };
}
