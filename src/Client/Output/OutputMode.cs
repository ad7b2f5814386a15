namespace Vespa.Client.Output;

/// <summary>How an answer is shown.</summary>
internal enum OutputMode
{
    /// <summary>For people: streamed events as their tokens (OpenAI chunks) or data lines, bodies as text.</summary>
    Text,

    /// <summary>The bytes exactly as received (<c>--raw</c>).</summary>
    Raw,

    /// <summary>Machine-readable (<c>--json</c>): one JSON document per line.</summary>
    Json,
}
