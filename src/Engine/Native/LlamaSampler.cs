using System.Runtime.InteropServices;

namespace Vespa.Engine.Native;

/// <summary>
/// A sampler chain for one sequence. Stateful (penalty history, RNG), so one per sequence and one thread at a time
/// (llama-native.md §6 step 4).
/// </summary>
internal sealed class LlamaSampler : IDisposable
{
    private LlamaSampler(SafeLlamaSamplerHandle handle)
    {
        Handle = handle;
    }

    /// <summary>The native chain.</summary>
    public SafeLlamaSamplerHandle Handle { get; }

    /// <summary>The names of the samplers in the chain, in order (e.g. <c>penalties, top-k, …, dist</c>).</summary>
    public IReadOnlyList<string> Names
    {
        get
        {
            var count = LlamaNative.llama_sampler_chain_n(Handle);
            var names = new string[count];
            for (var i = 0; i < count; i++)
            {
                names[i] = Marshal.PtrToStringUTF8(LlamaNative.llama_sampler_name(LlamaNative.llama_sampler_chain_get(Handle, i))) ?? string.Empty;
            }

            return names;
        }
    }

    /// <summary>The seed of the chain (the random one chosen when <see cref="LlamaSamplingOptions.Seed"/> is random).</summary>
    public uint Seed => LlamaNative.llama_sampler_get_seed(Handle);

    /// <summary>
    /// Builds the chain: temperature &lt;= 0 → penalties, greedy; otherwise penalties → top-k → top-p → min-p →
    /// temperature → dist(seed). Samplers that would do nothing (no penalty, top-k &lt;= 0, top-p &gt;= 1,
    /// min-p &lt;= 0) are left out.
    /// </summary>
    public static LlamaSampler CreateChain(LlamaSamplingOptions options, int vocabSize)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(vocabSize, 1);
        if (float.IsNaN(options.Temperature) || float.IsNaN(options.TopP) || float.IsNaN(options.MinP))
        {
            throw new ArgumentOutOfRangeException(nameof(options), "Sampling parameters must be numbers.");
        }

        if (!(options.RepeatPenalty > 0) || !float.IsFinite(options.FrequencyPenalty) || !float.IsFinite(options.PresencePenalty))
        {
            throw new ArgumentOutOfRangeException(nameof(options), "The repeat penalty must be > 0 and the frequency and presence penalties finite.");
        }

        LlamaRuntime.EnsureInitialized();
        var chain = LlamaNative.llama_sampler_chain_init(LlamaNative.llama_sampler_chain_default_params());
        if (chain.IsInvalid)
        {
            chain.Dispose();
            throw new InvalidOperationException("llama_sampler_chain_init failed.");
        }

        try
        {
            if (options.HasPenalties)
            {
                Add(chain, LlamaNative.llama_sampler_init_penalties(
                    vocabSize, options.PenaltyLastN, options.RepeatPenalty, options.FrequencyPenalty, options.PresencePenalty));
            }

            if (options.Temperature <= 0)
            {
                Add(chain, LlamaNative.llama_sampler_init_greedy());
                return new LlamaSampler(chain);
            }

            if (options.TopK > 0)
            {
                Add(chain, LlamaNative.llama_sampler_init_top_k(options.TopK));
            }

            if (options.TopP < 1.0f)
            {
                Add(chain, LlamaNative.llama_sampler_init_top_p(options.TopP, 1));
            }

            if (options.MinP > 0f)
            {
                Add(chain, LlamaNative.llama_sampler_init_min_p(options.MinP, 1));
            }

            Add(chain, LlamaNative.llama_sampler_init_temp(options.Temperature));
            Add(chain, LlamaNative.llama_sampler_init_dist(options.Seed));
            return new LlamaSampler(chain);
        }
        catch
        {
            chain.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Samples a token from the logits of output <paramref name="batchIndex"/> of the context's last decode (the index
    /// <see cref="LlamaBatchBuffer.Add(int, int, int, bool)"/> returned for a token added with logits), and
    /// accepts it into the chain's state: do not call <see cref="Accept"/> for it again.
    /// </summary>
    public int Sample(LlamaContext context, int batchIndex)
    {
        ArgumentNullException.ThrowIfNull(context);
        return LlamaNative.llama_sampler_sample(Handle, context.Handle, batchIndex);
    }

    /// <summary>Feeds a token that was not sampled (e.g. the prompt) to the penalties.</summary>
    public void Accept(int token) => LlamaNative.llama_sampler_accept(Handle, token);

    /// <summary>Forgets the penalty history (the RNG state is reset too).</summary>
    public void Reset() => LlamaNative.llama_sampler_reset(Handle);

    public void Dispose() => Handle.Dispose();

    private static void Add(SafeLlamaSamplerHandle chain, nint sampler)
    {
        if (sampler == 0)
        {
            throw new InvalidOperationException("A llama.cpp sampler could not be created.");
        }

        // The chain takes ownership.
        LlamaNative.llama_sampler_chain_add(chain, sampler);
    }
}
