namespace Vespa.Engine.Native;

/// <summary>C enum <c>llama_load_mode</c> (new in v0.5.0; replaces the use_mmap/use_mlock/use_direct_io bools). Values are exact for llama.cpp v0.5.0.</summary>
internal enum LlamaLoadMode
{
    Auto = -1,
    None = 0,
    Mmap = 1,
    Mlock = 2,
    MmapMlock = 3,
    DirectIo = 4,
}
