namespace Vespa.Engine.Native;

/// <summary>What <see cref="LlamaRuntime.Initialize"/> found.</summary>
/// <param name="Version"><c>llama_version()</c>, e.g. <c>0.5.0-dev</c>.</param>
/// <param name="NativeDirectory">The folder the libraries were loaded from.</param>
/// <param name="LibraryFile">The full path of libllama.</param>
/// <param name="Variant">The package variant (<c>cuda</c>), or null for the CPU package.</param>
/// <param name="Devices">The ggml devices, in registry order.</param>
/// <param name="SystemInfo"><c>llama_print_system_info()</c> (CPU features of the chosen backend).</param>
internal sealed record LlamaRuntimeInfo(
    string Version,
    string NativeDirectory,
    string LibraryFile,
    string? Variant,
    IReadOnlyList<LlamaDeviceInfo> Devices,
    string SystemInfo)
{
    /// <summary>Whether any GPU device is present.</summary>
    public bool HasGpu => Devices.Any(d => d.IsGpu);
}
