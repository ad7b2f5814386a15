namespace Vespa.Engine.Native;

/// <summary>
/// The start-up ABI check (llama-native.md §10 pitfall 1): the by-value param structs are only correct for
/// llama.cpp v0.5.0, so the loaded library's version and the default values it returns must be exactly the ones
/// read from the v0.5.0 headers and sources. A mismatch means the struct layouts are wrong, and every call that
/// passes them would silently corrupt memory.
/// </summary>
internal static class LlamaAbiGuard
{
    /// <summary>The version prefix <c>llama_version()</c> must have (the shipped binary says <c>0.5.0-dev</c>).</summary>
    public const string VersionPrefix = "0.5.0";

    /// <summary>Returns one line per difference; empty when the library matches these bindings.</summary>
    public static IReadOnlyList<string> Check(
        string? version,
        in LlamaModelParams model,
        in LlamaContextParams context,
        in LlamaSamplerChainParams sampler)
    {
        var errors = new List<string>();
        if (version is null || !(version == VersionPrefix || version.StartsWith(VersionPrefix + "-", StringComparison.Ordinal)))
        {
            errors.Add($"llama_version() is '{version ?? "(null)"}', expected {VersionPrefix}");
        }

        // llama_model_default_params() at v0.5.0 (src/llama-model.cpp).
        Expect(errors, "model.devices", model.devices, 0);
        Expect(errors, "model.tensor_buft_overrides", model.tensor_buft_overrides, 0);
        Expect(errors, "model.n_gpu_layers", model.n_gpu_layers, -1);
        ExpectEnum(errors, "model.split_mode", model.split_mode, LlamaSplitMode.Layer);
        ExpectEnum(errors, "model.load_mode", model.load_mode, LlamaLoadMode.Auto);
        ExpectEnum(errors, "model.lazy_mode", model.lazy_mode, LlamaLazyMode.Auto);
        Expect(errors, "model.main_gpu", model.main_gpu, 0);
        Expect(errors, "model.tensor_split", model.tensor_split, 0);
        Expect(errors, "model.progress_callback", model.progress_callback, 0);
        Expect(errors, "model.progress_callback_user_data", model.progress_callback_user_data, 0);
        Expect(errors, "model.kv_overrides", model.kv_overrides, 0);
        Expect(errors, "model.vocab_only", model.vocab_only, (byte)0);
        Expect(errors, "model.check_tensors", model.check_tensors, (byte)0);
        Expect(errors, "model.use_extra_bufts", model.use_extra_bufts, (byte)1);
        Expect(errors, "model.no_host", model.no_host, (byte)0);
        Expect(errors, "model.no_alloc", model.no_alloc, (byte)0);
        Expect(errors, "model.load_mtp", model.load_mtp, (byte)0);

        // llama_context_default_params() at v0.5.0 (src/llama-context.cpp).
        Expect(errors, "context.n_ctx", context.n_ctx, 512u);
        Expect(errors, "context.n_batch", context.n_batch, 2048u);
        Expect(errors, "context.n_ubatch", context.n_ubatch, 512u);
        Expect(errors, "context.n_seq_max", context.n_seq_max, 1u);
        Expect(errors, "context.n_rs_seq", context.n_rs_seq, 0u);
        Expect(errors, "context.n_outputs_max", context.n_outputs_max, 0u);
        Expect(errors, "context.n_outputs_max_per_seq", context.n_outputs_max_per_seq, 1u);
        Expect(errors, "context.n_threads", context.n_threads, 4);
        Expect(errors, "context.n_threads_batch", context.n_threads_batch, 4);
        ExpectEnum(errors, "context.ctx_type", context.ctx_type, LlamaContextType.Default);
        ExpectEnum(errors, "context.rope_scaling_type", context.rope_scaling_type, LlamaRopeScalingType.Unspecified);
        ExpectEnum(errors, "context.pooling_type", context.pooling_type, LlamaPoolingType.Unspecified);
        ExpectEnum(errors, "context.attention_type", context.attention_type, LlamaAttentionType.Unspecified);
        ExpectEnum(errors, "context.flash_attn_type", context.flash_attn_type, LlamaFlashAttnType.Auto);
        Expect(errors, "context.rope_freq_base", context.rope_freq_base, 0f);
        Expect(errors, "context.rope_freq_scale", context.rope_freq_scale, 0f);
        Expect(errors, "context.yarn_ext_factor", context.yarn_ext_factor, -1f);
        Expect(errors, "context.yarn_attn_factor", context.yarn_attn_factor, -1f);
        Expect(errors, "context.yarn_beta_fast", context.yarn_beta_fast, -1f);
        Expect(errors, "context.yarn_beta_slow", context.yarn_beta_slow, -1f);
        Expect(errors, "context.yarn_orig_ctx", context.yarn_orig_ctx, 0u);
        Expect(errors, "context.defrag_thold", context.defrag_thold, -1f);
        Expect(errors, "context.cb_eval", context.cb_eval, 0);
        Expect(errors, "context.cb_eval_user_data", context.cb_eval_user_data, 0);
        ExpectEnum(errors, "context.type_k", context.type_k, GgmlType.F16);
        ExpectEnum(errors, "context.type_v", context.type_v, GgmlType.F16);
        Expect(errors, "context.abort_callback", context.abort_callback, 0);
        Expect(errors, "context.abort_callback_data", context.abort_callback_data, 0);
        Expect(errors, "context.embeddings", context.embeddings, (byte)0);
        Expect(errors, "context.offload_kqv", context.offload_kqv, (byte)1);
        Expect(errors, "context.no_perf", context.no_perf, (byte)1);
        Expect(errors, "context.op_offload", context.op_offload, (byte)1);
        Expect(errors, "context.swa_full", context.swa_full, (byte)1);
        Expect(errors, "context.kv_unified", context.kv_unified, (byte)0);
        Expect(errors, "context.samplers", context.samplers, 0);
        Expect(errors, "context.n_samplers", context.n_samplers, (nuint)0);
        Expect(errors, "context.ctx_other", context.ctx_other, 0);

        // llama_sampler_chain_default_params() (src/llama.cpp).
        Expect(errors, "sampler_chain.no_perf", sampler.no_perf, (byte)1);
        return errors;
    }

    private static void Expect<T>(List<string> errors, string field, T actual, T expected)
        where T : IEquatable<T>
    {
        if (!actual.Equals(expected))
        {
            errors.Add($"{field} = {actual}, expected {expected}");
        }
    }

    private static void ExpectEnum<T>(List<string> errors, string field, T actual, T expected)
        where T : struct, Enum
    {
        if (!EqualityComparer<T>.Default.Equals(actual, expected))
        {
            errors.Add($"{field} = {actual} ({Convert.ToInt64(actual, System.Globalization.CultureInfo.InvariantCulture)}), expected {expected}");
        }
    }
}
