using Vespa.Engine.Native;

namespace Vespa.Engine.Api;

/// <summary>A validated <c>/v1/chat/completions</c> or <c>/v1/completions</c> request.</summary>
internal sealed class CompletionRequest
{
    /// <summary>Chat messages (chat endpoint) as (role, content).</summary>
    public IReadOnlyList<(string Role, string Content)>? Messages { get; init; }

    /// <summary>The prompt (completions endpoint).</summary>
    public string? Prompt { get; init; }

    /// <summary><c>max_tokens</c> / <c>max_completion_tokens</c>; <c>null</c> means until the context is full.</summary>
    public int? MaxTokens { get; init; }

    public required LlamaSamplingOptions Sampling { get; init; }

    public IReadOnlyList<string> Stop { get; init; } = [];

    public bool Stream { get; init; }

    /// <summary><c>stream_options.include_usage</c>: a final chunk with token counts.</summary>
    public bool IncludeUsage { get; init; }

    /// <summary>llama.cpp server's extension: keep generating past end-of-generation tokens.</summary>
    public bool IgnoreEos { get; init; }
}
