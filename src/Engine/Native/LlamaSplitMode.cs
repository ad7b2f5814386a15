namespace Vespa.Engine.Native;

/// <summary>C enum <c>llama_split_mode</c> Values are exact for llama.cpp v0.5.0.</summary>
internal enum LlamaSplitMode
{
    /// <summary>Single GPU.</summary>
    None = 0,
    /// <summary>Split layers and KV across GPUs (default).</summary>
    Layer = 1,
    Row = 2,
    Tensor = 3,
}
