// native_bench: the C reference for perf/engine/run.sh.
//
// The same workload as perf/EngineBench (Vespa.Engine's LlamaEngine + InferenceScheduler), written
// straight against llama.cpp's C API and linked to the same shipped libllama.v0.5.0.so:
//
//   one model, one context (n_ctx = N * (64 + G) cells, n_seq_max N, kv_unified, n_threads T, n_batch and
//   n_ubatch 512, everything else at its default), a fixed prompt tokenized with add_special and
//   parse_special, all N prompts prefilled in one llama_decode (logits on each prompt's last token),
//   then continuous batching: one llama_decode per step with one token per sequence, one greedy
//   sampler chain per sequence, EOS ignored, every token turned into its text piece, until each
//   sequence has G tokens. This is what InferenceScheduler.Step does for N requests that arrive
//   together (it also admits, streams and filters stop strings, which is the overhead being measured).
//
// Tokens per second (identical on both sides): the generation window runs from the moment the first
// generated token of the batch is available (right after the prefill decode and the first sample) to
// the moment the last token is; the tokens counted are those produced inside the window, N * (G - 1)
// (each sequence's first token comes from the prefill decode and is excluded). Before the measured
// pass, warm-up passes of the same shape run for at least WARMUP_MS milliseconds (at least one); then
// PASSES passes are measured and the one with the median tokens per second is reported.
//
// Usage: native_bench MODEL N G THREADS [NATIVE_DIR] [WARMUP_MS] [PASSES] [PROMPT]
// Output: one line "RESULT impl=c ..." of key=value pairs on stdout; diagnostics on stderr.

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ggml-backend.h"
#include "llama.h"

#define BENCH_BATCH_SIZE 512
// Prompt tokens reserved per sequence in n_ctx (the prompt may not be longer): n_ctx = N * (64 + G).
#define BENCH_PROMPT_BUDGET 64
// 53 tokens with the demo models' vocabulary (8 of them fit in one 512-token batch).
#define BENCH_DEFAULT_PROMPT \
    "<|im_start|>user\nWrite a short story about a lighthouse keeper and the sea.<|im_end|>\n<|im_start|>assistant\n"

struct pass_result {
    double prefill_s;    // prefill decode + first samples
    double gen_s;        // the generation window
    int64_t gen_tokens;  // tokens generated inside the window
    uint64_t hash;       // FNV-1a 64 of the ASCII bytes of sequence 0's text
};

// BENCH_DUMP_TEXT=<file>: the text of sequence 0 of the measured pass is written there (a diagnostic).
static FILE * g_dump = NULL;

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec + (double) ts.tv_nsec * 1e-9;
}

static double rate(const struct pass_result * r) {
    return (double) r->gen_tokens / r->gen_s;
}

static int by_rate(const void * a, const void * b) {
    double x = rate(a);
    double y = rate(b);
    return (x > y) - (x < y);
}

static void quiet_log(enum ggml_log_level level, const char * text, void * user_data) {
    (void) user_data;
    if (level == GGML_LOG_LEVEL_WARN || level == GGML_LOG_LEVEL_ERROR) {
        fputs(text, stderr);
    }
}

static int parse_int(const char * text, const char * what, int min) {
    char * end = NULL;
    errno = 0;
    long value = strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || value < min || value > 1000000) {
        fprintf(stderr, "native_bench: %s must be an integer >= %d, not '%s'\n", what, min, text);
        exit(2);
    }
    return (int) value;
}

// FNV-1a 64 over the ASCII bytes only: .NET turns the invalid UTF-8 that the random demo models
// produce into U+FFFD, but never touches an ASCII byte, so this hash is comparable across both.
static uint64_t fnv1a_ascii(uint64_t hash, const char * bytes, int n) {
    for (int i = 0; i < n; i++) {
        if ((uint8_t) bytes[i] >= 0x80) {
            continue;
        }
        hash ^= (uint8_t) bytes[i];
        hash *= 1099511628211ULL;
    }
    return hash;
}

static void batch_add(struct llama_batch * batch, llama_token token, llama_pos pos, llama_seq_id seq, bool logits) {
    int i = batch->n_tokens++;
    batch->token[i] = token;
    batch->pos[i] = pos;
    batch->n_seq_id[i] = 1;
    batch->seq_id[i][0] = seq;
    batch->logits[i] = logits ? 1 : 0;
}

// Appends the text piece of a token; sequence 0's pieces go into the hash.
static void emit_piece(const struct llama_vocab * vocab, llama_token token, int seq, uint64_t * hash) {
    char piece[256];
    int n = llama_token_to_piece(vocab, token, piece, (int32_t) sizeof piece, 0, false);
    if (n < 0) {
        fprintf(stderr, "native_bench: token %d has a piece longer than %zu bytes\n", token, sizeof piece);
        exit(1);
    }
    if (seq == 0) {
        *hash = fnv1a_ascii(*hash, piece, n);
        if (g_dump != NULL) {
            fwrite(piece, 1, (size_t) n, g_dump);
        }
    }
}

// One pass: clear the KV cache, prefill N copies of the prompt in one decode, then G - 1 decode
// steps of one token per sequence.
static struct pass_result run_pass(struct llama_context * ctx, const struct llama_vocab * vocab,
                                   struct llama_batch * batch, const llama_token * prompt, int n_prompt, int n_seq,
                                   int n_gen) {
    struct pass_result result = { 0 };
    result.hash = 14695981039346656037ULL;

    llama_memory_clear(llama_get_memory(ctx), true);

    struct llama_sampler ** samplers = calloc((size_t) n_seq, sizeof *samplers);
    llama_token * last = calloc((size_t) n_seq, sizeof *last);
    int32_t * logits_index = calloc((size_t) n_seq, sizeof *logits_index);
    if (samplers == NULL || last == NULL || logits_index == NULL) {
        fprintf(stderr, "native_bench: out of memory\n");
        exit(1);
    }
    for (int s = 0; s < n_seq; s++) {
        samplers[s] = llama_sampler_chain_init(llama_sampler_chain_default_params());
        llama_sampler_chain_add(samplers[s], llama_sampler_init_greedy());
    }

    // Prefill: every prompt in one batch, logits only on each prompt's last token.
    double t_prefill = now_s();
    batch->n_tokens = 0;
    for (int s = 0; s < n_seq; s++) {
        for (int i = 0; i < n_prompt; i++) {
            batch_add(batch, prompt[i], i, s, i == n_prompt - 1);
        }
        logits_index[s] = batch->n_tokens - 1;
    }
    int rc = llama_decode(ctx, *batch);
    if (rc != 0) {
        fprintf(stderr, "native_bench: prefill llama_decode returned %d\n", rc);
        exit(1);
    }
    double t_first = 0;
    for (int s = 0; s < n_seq; s++) {
        last[s] = llama_sampler_sample(samplers[s], ctx, logits_index[s]);
        emit_piece(vocab, last[s], s, &result.hash);
        if (s == 0) {
            t_first = now_s();  // the first generated token of the batch is available
        }
    }
    result.prefill_s = t_first - t_prefill;

    // Generation: one decode per step with one token per sequence (EOS ignored).
    for (int step = 1; step < n_gen; step++) {
        batch->n_tokens = 0;
        for (int s = 0; s < n_seq; s++) {
            batch_add(batch, last[s], n_prompt + step - 1, s, true);
        }
        rc = llama_decode(ctx, *batch);
        if (rc != 0) {
            fprintf(stderr, "native_bench: llama_decode returned %d at step %d\n", rc, step);
            exit(1);
        }
        for (int s = 0; s < n_seq; s++) {
            last[s] = llama_sampler_sample(samplers[s], ctx, s);
            emit_piece(vocab, last[s], s, &result.hash);
            result.gen_tokens++;
        }
    }
    result.gen_s = now_s() - t_first;

    for (int s = 0; s < n_seq; s++) {
        llama_sampler_free(samplers[s]);
    }
    free(samplers);
    free(last);
    free(logits_index);
    return result;
}

int main(int argc, char ** argv) {
    if (argc < 5 || argc > 9) {
        fprintf(stderr, "usage: native_bench MODEL N G THREADS [NATIVE_DIR] [WARMUP_MS] [PASSES] [PROMPT]\n");
        return 2;
    }
    const char * model_path = argv[1];
    int n_seq = parse_int(argv[2], "N", 1);
    int n_gen = parse_int(argv[3], "G", 2);
    int n_threads = parse_int(argv[4], "THREADS", 1);
    const char * native_dir = argc > 5 ? argv[5] : getenv("LLAMA_NATIVE_DIR");
    int warmup_ms = argc > 6 ? parse_int(argv[6], "WARMUP_MS", 0) : 500;
    int passes = argc > 7 ? parse_int(argv[7], "PASSES", 1) : 3;
    const char * prompt_text = argc > 8 ? argv[8] : BENCH_DEFAULT_PROMPT;
    if (n_seq > 256) {
        fprintf(stderr, "native_bench: N must be at most 256\n");
        return 2;
    }

    double t_start = now_s();
    llama_log_set(quiet_log, NULL);
    // The same order as Vespa.Engine's LlamaRuntime: backends from an explicit folder, then init.
    ggml_backend_load_all_from_path(native_dir);
    llama_backend_init();

    struct llama_model_params mparams = llama_model_default_params();
    mparams.n_gpu_layers = 0;
    mparams.load_mode = LLAMA_LOAD_MODE_MMAP;
    struct llama_model * model = llama_model_load_from_file(model_path, mparams);
    if (model == NULL) {
        fprintf(stderr, "native_bench: cannot load %s\n", model_path);
        return 1;
    }
    const struct llama_vocab * vocab = llama_model_get_vocab(model);

    llama_token prompt[BENCH_BATCH_SIZE];
    int n_prompt = llama_tokenize(vocab, prompt_text, (int32_t) strlen(prompt_text), prompt, BENCH_BATCH_SIZE, true,
                                  true);
    if (n_prompt <= 0) {
        fprintf(stderr, "native_bench: the prompt does not tokenize into 1..%d tokens (%d)\n", BENCH_BATCH_SIZE,
                n_prompt);
        return 1;
    }
    if (n_prompt > BENCH_PROMPT_BUDGET || n_prompt * n_seq > BENCH_BATCH_SIZE) {
        fprintf(stderr, "native_bench: the prompt has %d tokens; at most %d, and N * that at most %d\n", n_prompt,
                BENCH_PROMPT_BUDGET, BENCH_BATCH_SIZE);
        return 2;
    }

    struct llama_context_params cparams = llama_context_default_params();
    cparams.n_ctx = (uint32_t) (n_seq * (BENCH_PROMPT_BUDGET + n_gen));
    cparams.n_batch = BENCH_BATCH_SIZE;
    cparams.n_ubatch = BENCH_BATCH_SIZE;
    cparams.n_seq_max = (uint32_t) n_seq;
    cparams.n_threads = n_threads;
    cparams.n_threads_batch = n_threads;
    cparams.kv_unified = true;
    struct llama_context * ctx = llama_init_from_model(model, cparams);
    if (ctx == NULL) {
        fprintf(stderr, "native_bench: cannot create a context\n");
        return 1;
    }
    struct llama_batch batch = llama_batch_init(BENCH_BATCH_SIZE, 0, 1);
    double load_s = now_s() - t_start;

    int warmup_passes = 0;
    double t_warm = now_s();
    do {
        (void) run_pass(ctx, vocab, &batch, prompt, n_prompt, n_seq, n_gen);
        warmup_passes++;
    } while ((now_s() - t_warm) * 1000.0 < warmup_ms);

    const char * dump_path = getenv("BENCH_DUMP_TEXT");
    if (dump_path != NULL && *dump_path != '\0') {
        g_dump = fopen(dump_path, "wb");
    }
    struct pass_result * measured = calloc((size_t) passes, sizeof *measured);
    if (measured == NULL) {
        fprintf(stderr, "native_bench: out of memory\n");
        return 1;
    }
    for (int p = 0; p < passes; p++) {
        measured[p] = run_pass(ctx, vocab, &batch, prompt, n_prompt, n_seq, n_gen);
        if (g_dump != NULL) {
            fclose(g_dump);
            g_dump = NULL;
        }
    }
    qsort(measured, (size_t) passes, sizeof *measured, by_rate);
    struct pass_result r = measured[passes / 2];
    double min_rate = rate(&measured[0]);
    double max_rate = rate(&measured[passes - 1]);
    for (int p = 1; p < passes; p++) {
        if (measured[p].hash != measured[0].hash) {
            fprintf(stderr, "native_bench: passes generated different text\n");
            return 1;
        }
    }
    free(measured);

    char model_name[256];
    const char * base = strrchr(model_path, '/');
    snprintf(model_name, sizeof model_name, "%s", base != NULL ? base + 1 : model_path);
    printf("RESULT impl=c model=%s n=%d g=%d threads=%d prompt_tokens=%d gen_tokens=%" PRId64
           " gen_s=%.6f tok_s=%.2f min_tok_s=%.2f max_tok_s=%.2f passes=%d prefill_ms=%.3f warmup_passes=%d"
           " load_ms=%.1f hash=%016" PRIx64 "\n",
           model_name, n_seq, n_gen, n_threads, n_prompt, r.gen_tokens, r.gen_s, rate(&r), min_rate, max_rate, passes,
           r.prefill_s * 1000.0, warmup_passes, load_s * 1000.0, r.hash);
    fflush(stdout);

    llama_batch_free(batch);
    llama_free(ctx);
    llama_model_free(model);
    llama_backend_free();
    return 0;
}
