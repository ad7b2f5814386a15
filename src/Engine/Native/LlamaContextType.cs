namespace Vespa.Engine.Native;

/// <summary>C enum <c>llama_context_type</c> Values are exact for llama.cpp v0.5.0.</summary>
internal enum LlamaContextType
{
    Default = 0,
    Mtp = 1,
}
