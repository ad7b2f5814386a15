namespace Vespa.Engine.Native;

/// <summary>C enum <c>llama_flash_attn_type</c> Values are exact for llama.cpp v0.5.0.</summary>
internal enum LlamaFlashAttnType
{
    Auto = -1,
    Disabled = 0,
    Enabled = 1,
}
