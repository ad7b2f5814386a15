namespace Vespa.Engine.Native;

/// <summary>C enum <c>llama_lazy_mode</c> (new in v0.5.0). Values are exact for llama.cpp v0.5.0.</summary>
internal enum LlamaLazyMode
{
    Off = 0,
    Auto = 1,
    On = 2,
}
