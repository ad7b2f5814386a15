namespace Vespa.Benchmarks.Builtin;

/// <summary>Which OpenAI-compatible endpoint an <see cref="OpenAiBenchmark"/> measures.</summary>
internal enum OpenAiApi
{
    /// <summary><c>POST /v1/chat/completions</c> with one user message.</summary>
    Chat,

    /// <summary><c>POST /v1/completions</c> with a plain prompt.</summary>
    Completions,

    /// <summary>The embedded engine: completions with <c>ignore_eos</c>, so every run generates exactly max_tokens real tokens.</summary>
    Engine,
}
