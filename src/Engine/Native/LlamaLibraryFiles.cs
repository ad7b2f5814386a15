namespace Vespa.Engine.Native;

/// <summary>The three files the C API needs, located in one native directory by <see cref="LlamaLibraryResolver"/>.</summary>
/// <param name="Directory">The native directory (full path).</param>
/// <param name="Llama">Full path of <c>libllama[.variant].v0.5.0.so</c> (or a self-built <c>libllama.so</c>).</param>
/// <param name="Ggml">Full path of the matching <c>libggml[.variant].v0.5.0.so</c>.</param>
/// <param name="GgmlBase">Full path of <c>libggml-base.so</c>.</param>
/// <param name="Variant">The package variant in the file names (<c>cuda</c>), or null for the CPU package.</param>
internal sealed record LlamaLibraryFiles(string Directory, string Llama, string Ggml, string GgmlBase, string? Variant);
