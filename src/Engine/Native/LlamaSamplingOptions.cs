namespace Vespa.Engine.Native;

/// <summary>The sampler chain of one sequence (<see cref="LlamaSampler.CreateChain"/>).</summary>
internal sealed record LlamaSamplingOptions
{
    /// <summary>Temperature; &lt;= 0 means greedy (argmax).</summary>
    /// <value>The default value is 0.8.</value>
    public float Temperature { get; init; } = 0.8f;

    /// <summary>Keep the K most likely tokens; &lt;= 0 disables.</summary>
    /// <value>The default value is 40.</value>
    public int TopK { get; init; } = 40;

    /// <summary>Nucleus sampling; &gt;= 1 disables.</summary>
    /// <value>The default value is 0.95.</value>
    public float TopP { get; init; } = 0.95f;

    /// <summary>Minimum probability relative to the most likely token; &lt;= 0 disables.</summary>
    /// <value>The default value is 0.05.</value>
    public float MinP { get; init; } = 0.05f;

    /// <summary>RNG seed of the final distribution sampler; <see cref="uint.MaxValue"/> (<c>LLAMA_DEFAULT_SEED</c>) = random.</summary>
    /// <value>The default value is <see cref="uint.MaxValue"/>.</value>
    public uint Seed { get; init; } = uint.MaxValue;

    /// <summary>How many recent tokens the penalties look at; 0 disables them, -1 = the context size.</summary>
    /// <value>The default value is 64.</value>
    public int PenaltyLastN { get; init; } = 64;

    /// <summary>Repetition penalty; 1 disables.</summary>
    /// <value>The default value is 1.</value>
    public float RepeatPenalty { get; init; } = 1.0f;

    /// <summary>OpenAI-style frequency penalty; 0 disables.</summary>
    /// <value>The default value is 0.</value>
    public float FrequencyPenalty { get; init; }

    /// <summary>OpenAI-style presence penalty; 0 disables.</summary>
    /// <value>The default value is 0.</value>
    public float PresencePenalty { get; init; }

    /// <summary>The defaults.</summary>
    public static LlamaSamplingOptions Default { get; } = new();

    /// <summary>Whether any penalty is active.</summary>
    public bool HasPenalties =>
        PenaltyLastN != 0 && (RepeatPenalty != 1.0f || FrequencyPenalty != 0f || PresencePenalty != 0f);
}
