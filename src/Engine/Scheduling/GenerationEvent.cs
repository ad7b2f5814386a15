namespace Vespa.Engine.Scheduling;

/// <summary>
/// A piece of generated text, or (when <see cref="Finish"/> is set) the end of the generation with
/// its token counts.
/// </summary>
internal readonly record struct GenerationEvent(string Text, FinishReason? Finish = null, int PromptTokens = 0, int CompletionTokens = 0)
{
    public bool IsFinal => Finish is not null;
}
