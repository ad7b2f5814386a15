// Layout probe for the llama.cpp C API (llama-native.md §2.1). Built and run by scripts/llama-layout-probe.sh
// against the exact headers of the pinned release and linked to the shipped library by its file name. Its numbers
// must equal tests/Vespa.Engine.Tests/Native/StructLayoutTests.cs and the defaults in
// src/Engine/Native/LlamaAbiGuard.cs. A developer tool: CI does not run it.
#include <stdalign.h>
#include <stddef.h>
#include <stdio.h>

#include "llama.h"

#define STRUCT(T) printf("struct %s size=%zu align=%zu\n", #T, sizeof(struct T), alignof(struct T))
#define FIELD(T, f) printf("  %s.%s offset=%zu size=%zu\n", #T, #f, offsetof(struct T, f), sizeof(((struct T *)0)->f))
#define SIZE(T) printf("struct %s size=%zu\n", #T, sizeof(struct T))

static void model_params_layout(void) {
    STRUCT(llama_model_params);
    FIELD(llama_model_params, devices);
    FIELD(llama_model_params, tensor_buft_overrides);
    FIELD(llama_model_params, n_gpu_layers);
    FIELD(llama_model_params, split_mode);
    FIELD(llama_model_params, load_mode);
    FIELD(llama_model_params, lazy_mode);
    FIELD(llama_model_params, main_gpu);
    FIELD(llama_model_params, tensor_split);
    FIELD(llama_model_params, progress_callback);
    FIELD(llama_model_params, progress_callback_user_data);
    FIELD(llama_model_params, kv_overrides);
    FIELD(llama_model_params, vocab_only);
    FIELD(llama_model_params, check_tensors);
    FIELD(llama_model_params, use_extra_bufts);
    FIELD(llama_model_params, no_host);
    FIELD(llama_model_params, no_alloc);
    FIELD(llama_model_params, load_mtp);
}

static void context_params_layout(void) {
    STRUCT(llama_context_params);
    FIELD(llama_context_params, n_ctx);
    FIELD(llama_context_params, n_batch);
    FIELD(llama_context_params, n_ubatch);
    FIELD(llama_context_params, n_seq_max);
    FIELD(llama_context_params, n_rs_seq);
    FIELD(llama_context_params, n_outputs_max);
    FIELD(llama_context_params, n_outputs_max_per_seq);
    FIELD(llama_context_params, n_threads);
    FIELD(llama_context_params, n_threads_batch);
    FIELD(llama_context_params, ctx_type);
    FIELD(llama_context_params, rope_scaling_type);
    FIELD(llama_context_params, pooling_type);
    FIELD(llama_context_params, attention_type);
    FIELD(llama_context_params, flash_attn_type);
    FIELD(llama_context_params, rope_freq_base);
    FIELD(llama_context_params, rope_freq_scale);
    FIELD(llama_context_params, yarn_ext_factor);
    FIELD(llama_context_params, yarn_attn_factor);
    FIELD(llama_context_params, yarn_beta_fast);
    FIELD(llama_context_params, yarn_beta_slow);
    FIELD(llama_context_params, yarn_orig_ctx);
    FIELD(llama_context_params, defrag_thold);
    FIELD(llama_context_params, cb_eval);
    FIELD(llama_context_params, cb_eval_user_data);
    FIELD(llama_context_params, type_k);
    FIELD(llama_context_params, type_v);
    FIELD(llama_context_params, abort_callback);
    FIELD(llama_context_params, abort_callback_data);
    FIELD(llama_context_params, embeddings);
    FIELD(llama_context_params, offload_kqv);
    FIELD(llama_context_params, no_perf);
    FIELD(llama_context_params, op_offload);
    FIELD(llama_context_params, swa_full);
    FIELD(llama_context_params, kv_unified);
    FIELD(llama_context_params, samplers);
    FIELD(llama_context_params, n_samplers);
    FIELD(llama_context_params, ctx_other);
}

static void batch_layout(void) {
    STRUCT(llama_batch);
    FIELD(llama_batch, n_tokens);
    FIELD(llama_batch, token);
    FIELD(llama_batch, embd);
    FIELD(llama_batch, pos);
    FIELD(llama_batch, n_seq_id);
    FIELD(llama_batch, seq_id);
    FIELD(llama_batch, logits);
}

static void other_sizes(void) {
    SIZE(llama_sampler_chain_params);
    SIZE(llama_chat_message);
    SIZE(llama_token_data);
    SIZE(llama_token_data_array);
    SIZE(llama_model_kv_override);
    printf("  llama_model_kv_override.key offset=%zu, value union offset=%zu\n",
           offsetof(struct llama_model_kv_override, key), offsetof(struct llama_model_kv_override, val_i64));
    SIZE(llama_perf_context_data);
}

static void defaults(void) {
    struct llama_model_params m = llama_model_default_params();
    printf("llama_model_default_params: devices=%p tensor_buft_overrides=%p n_gpu_layers=%d split_mode=%d load_mode=%d "
           "lazy_mode=%d main_gpu=%d tensor_split=%p progress_callback=%p progress_callback_user_data=%p kv_overrides=%p "
           "vocab_only=%d check_tensors=%d use_extra_bufts=%d no_host=%d no_alloc=%d load_mtp=%d\n",
           (void *)m.devices, (const void *)m.tensor_buft_overrides, m.n_gpu_layers, (int)m.split_mode, (int)m.load_mode,
           (int)m.lazy_mode, m.main_gpu, (const void *)m.tensor_split, (void *)m.progress_callback,
           m.progress_callback_user_data, (const void *)m.kv_overrides, m.vocab_only, m.check_tensors,
           m.use_extra_bufts, m.no_host, m.no_alloc, m.load_mtp);

    struct llama_context_params c = llama_context_default_params();
    printf("llama_context_default_params: n_ctx=%u n_batch=%u n_ubatch=%u n_seq_max=%u n_rs_seq=%u n_outputs_max=%u "
           "n_outputs_max_per_seq=%u n_threads=%d n_threads_batch=%d ctx_type=%d rope_scaling_type=%d pooling_type=%d "
           "attention_type=%d flash_attn_type=%d rope_freq_base=%g rope_freq_scale=%g yarn_ext_factor=%g "
           "yarn_attn_factor=%g yarn_beta_fast=%g yarn_beta_slow=%g yarn_orig_ctx=%u defrag_thold=%g cb_eval=%p "
           "cb_eval_user_data=%p type_k=%d type_v=%d abort_callback=%p abort_callback_data=%p embeddings=%d "
           "offload_kqv=%d no_perf=%d op_offload=%d swa_full=%d kv_unified=%d samplers=%p n_samplers=%zu "
           "ctx_other=%p\n",
           c.n_ctx, c.n_batch, c.n_ubatch, c.n_seq_max, c.n_rs_seq, c.n_outputs_max, c.n_outputs_max_per_seq,
           c.n_threads, c.n_threads_batch, (int)c.ctx_type, (int)c.rope_scaling_type, (int)c.pooling_type,
           (int)c.attention_type, (int)c.flash_attn_type, c.rope_freq_base, c.rope_freq_scale, c.yarn_ext_factor,
           c.yarn_attn_factor, c.yarn_beta_fast, c.yarn_beta_slow, c.yarn_orig_ctx, c.defrag_thold,
           (void *)c.cb_eval, c.cb_eval_user_data, (int)c.type_k, (int)c.type_v, (void *)c.abort_callback,
           c.abort_callback_data, c.embeddings, c.offload_kqv, c.no_perf, c.op_offload, c.swa_full, c.kv_unified,
           (void *)c.samplers, c.n_samplers, (void *)c.ctx_other);

    struct llama_sampler_chain_params s = llama_sampler_chain_default_params();
    printf("llama_sampler_chain_default_params: no_perf=%d\n", s.no_perf);
}

int main(void) {
    model_params_layout();
    context_params_layout();
    batch_layout();
    other_sizes();
    defaults();
    printf("llama_version=%s\n", llama_version());
    printf("llama_max_devices=%zu\n", llama_max_devices());
    printf("llama_max_parallel_sequences=%zu\n", llama_max_parallel_sequences());
    printf("llama_supports_mmap=%d\n", llama_supports_mmap());
    return 0;
}
