namespace Vespa.Engine.Native;

/// <summary>A ggml backend device (<c>ggml_backend_dev_*</c>).</summary>
/// <param name="Name">Device name, e.g. <c>CPU</c>, <c>CUDA0</c>.</param>
/// <param name="Description">Device description, e.g. the CPU or GPU model.</param>
/// <param name="Type">CPU, GPU, integrated GPU, accelerator.</param>
/// <param name="FreeMemory">Free memory in bytes, as reported by the backend.</param>
/// <param name="TotalMemory">Total memory in bytes, as reported by the backend.</param>
internal sealed record LlamaDeviceInfo(string Name, string Description, GgmlBackendDevType Type, ulong FreeMemory, ulong TotalMemory)
{
    /// <summary>Whether this is a GPU (discrete or integrated).</summary>
    public bool IsGpu => Type is GgmlBackendDevType.Gpu or GgmlBackendDevType.Igpu;
}
