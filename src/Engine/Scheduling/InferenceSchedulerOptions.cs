namespace Vespa.Engine.Scheduling;

/// <summary>Sizing of the scheduler's batch (the context's sizes are set when it is created).</summary>
internal sealed class InferenceSchedulerOptions
{
    /// <summary>Sequences decoded together (the context's <c>n_seq_max</c>).</summary>
    public int MaxSequences { get; set; } = 4;

    /// <summary>Tokens per decode step (the context's <c>n_batch</c>); longer prompts are fed in chunks.</summary>
    public int BatchSize { get; set; } = 512;

    /// <summary>
    /// Keep a finished request's KV cells and reuse the common prefix for the next request in that sequence id
    /// (<c>VESPA_PROMPT_CACHE</c>; llama-server's <c>cache_prompt</c>).
    /// </summary>
    public bool PromptCache { get; set; } = true;
}
