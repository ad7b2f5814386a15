namespace Vespa.Engine.Native;

/// <summary>How <see cref="LlamaModel.Load"/> loads a GGUF file.</summary>
internal sealed record LlamaModelOptions
{
    /// <summary>Layers to offload to the GPU; -1 = all.</summary>
    /// <value>The default value is 0 (CPU only).</value>
    public int GpuLayers { get; init; }

    /// <summary>Memory-map the file (<c>load_mode</c> MMAP) instead of reading it (<c>load_mode</c> NONE).</summary>
    /// <value>The default value is true.</value>
    public bool UseMmap { get; init; } = true;

    /// <summary>Load only the vocabulary (tokenizer), no weights.</summary>
    /// <value>The default value is false.</value>
    public bool VocabOnly { get; init; }

    /// <summary>The GPU used for the whole model when it is not split.</summary>
    /// <value>The default value is 0.</value>
    public int MainGpu { get; init; }

    /// <summary>The defaults.</summary>
    public static LlamaModelOptions Default { get; } = new();
}
