namespace Vespa.Engine.Native;

/// <summary>C enum <c>llama_attention_type</c> Values are exact for llama.cpp v0.5.0.</summary>
internal enum LlamaAttentionType
{
    Unspecified = -1,
    Causal = 0,
    NonCausal = 1,
}
