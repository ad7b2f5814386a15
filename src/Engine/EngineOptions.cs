namespace Vespa.Engine;

/// <summary>How the embedded engine loads its model and sizes its context.</summary>
public sealed class EngineOptions
{
    /// <summary>GGUF path or http(s) URL; <c>null</c> generates the demo model.</summary>
    public string? Model { get; set; }

    /// <summary>Expected SHA-256 of a downloaded model (hex); <c>null</c> skips the check.</summary>
    public string? ModelSha256 { get; set; }

    /// <summary>Where downloaded and generated models are kept; <c>null</c> is the user cache directory.</summary>
    public string? CacheDirectory { get; set; }

    /// <summary>Folder of the llama.cpp libraries; <c>null</c> is <c>native/</c> next to the program.</summary>
    public string? NativeDirectory { get; set; }

    /// <summary>Layers offloaded to the GPU (<c>VESPA_GPU_LAYERS</c>); 0 keeps everything on the CPU, -1 offloads all.</summary>
    public int GpuLayers { get; set; }

    /// <summary>ggml threads; 0 uses every core but one.</summary>
    public int Threads { get; set; }

    /// <summary>
    /// KV cells in all (<c>n_ctx</c>, llama-server's <c>-c</c>). With a per-sequence cache (<see cref="UnifiedKv"/>
    /// false) each sequence gets an equal share (rounded up to 256 by llama.cpp); with a unified one any sequence may
    /// use all of it.
    /// </summary>
    public int ContextSize { get; set; } = 4096;

    /// <summary>
    /// One KV buffer shared by all sequences (<c>kv_unified</c>); <c>null</c> chooses as llama-server does: unified for
    /// one sequence, else one KV stream per sequence, so each sequence's attention reads only its own cells.
    /// </summary>
    public bool? UnifiedKv { get; set; }

    /// <summary>Reuse the KV cells of a previous request's common prompt prefix (llama-server's <c>cache_prompt</c>).</summary>
    public bool PromptCache { get; set; } = true;

    /// <summary>Requests decoded together (continuous batching).</summary>
    public int ParallelSequences { get; set; } = 4;

    /// <summary>Tokens per decode step; longer prompts are fed in chunks.</summary>
    public int BatchSize { get; set; } = 512;

    /// <summary>A built-in template name (<c>chatml</c>, <c>llama3</c>, …) or a template string; <c>null</c> uses the model's.</summary>
    public string? ChatTemplate { get; set; }
}
