namespace Vespa.Worker.Metrics.Gpu;

/// <summary>
/// A GPU found at start: its NVML index, product name and UUID (the labels of every <c>vespa_gpu_*</c> series, a
/// small fixed set per machine) and its borrowed NVML handle, valid until <c>nvmlShutdown</c>.
/// </summary>
internal sealed class GpuDevice
{
    public GpuDevice(int ordinal, uint index, string name, string uuid, nint handle)
    {
        Ordinal = ordinal;
        Index = index;
        Name = name;
        Uuid = uuid;
        Handle = handle;
        Labels = [index.ToString(System.Globalization.CultureInfo.InvariantCulture), name, uuid];
    }

    /// <summary>Position in the monitor's device list (an index may be skipped when a device cannot be opened).</summary>
    public int Ordinal { get; }

    public uint Index { get; }

    public string Name { get; }

    public string Uuid { get; }

    public nint Handle { get; }

    /// <summary>Label values in <see cref="GpuMetrics.LabelNames"/> order, built once.</summary>
    public string[] Labels { get; }
}
