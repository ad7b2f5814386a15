using System.Runtime.InteropServices;

namespace Vespa.Worker.Metrics.Gpu;

/// <summary><c>nvmlUtilization_t</c>: 8 bytes, percentages over the driver's last sample period (1/6 s to 1 s).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NvmlUtilization
{
    /// <summary>Percent of time one or more kernels were running on the GPU. Offset 0.</summary>
    public uint gpu;

    /// <summary>Percent of time device memory was being read or written. Offset 4.</summary>
    public uint memory;
}
