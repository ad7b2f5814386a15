namespace Vespa.Engine.Scheduling;

/// <summary>Why a generation ended, with OpenAI's <c>finish_reason</c> names where they exist.</summary>
internal enum FinishReason
{
    /// <summary>End-of-generation token or a stop sequence (<c>"stop"</c>).</summary>
    Stop,

    /// <summary><c>max_tokens</c> reached or the context is full (<c>"length"</c>).</summary>
    Length,

    /// <summary>The caller went away; the sequence was freed.</summary>
    Cancelled,

    /// <summary>llama.cpp failed to decode; the generation was abandoned.</summary>
    Error,
}
