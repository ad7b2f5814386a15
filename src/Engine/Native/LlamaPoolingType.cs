namespace Vespa.Engine.Native;

/// <summary>C enum <c>llama_pooling_type</c> Values are exact for llama.cpp v0.5.0.</summary>
internal enum LlamaPoolingType
{
    Unspecified = -1,
    None = 0,
    Mean = 1,
    Cls = 2,
    Last = 3,
    Rank = 4,
}
