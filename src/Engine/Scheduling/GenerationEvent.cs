namespace Vespa.Engine.Scheduling;

/// <summary>
/// A piece of generated text, or (when <see cref="Finish"/> is set) the end of the generation with
/// its token counts and, for <see cref="FinishReason.Unavailable"/>, why the engine stopped.
/// </summary>
internal readonly record struct GenerationEvent(string Text, FinishReason? Finish = null, int PromptTokens = 0, int CompletionTokens = 0, string? Error = null)
{
    public bool IsFinal => Finish is not null;
}
