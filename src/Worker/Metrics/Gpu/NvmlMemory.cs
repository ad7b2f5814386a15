using System.Runtime.InteropServices;

namespace Vespa.Worker.Metrics.Gpu;

/// <summary><c>nvmlMemory_t</c> (the v1 struct of <c>nvmlDeviceGetMemoryInfo</c>): 24 bytes, all in bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NvmlMemory
{
    /// <summary>Installed device memory. Offset 0.</summary>
    public ulong total;

    /// <summary>Unallocated device memory. Offset 8.</summary>
    public ulong free;

    /// <summary>Allocated device memory (including the driver's own reservation). Offset 16.</summary>
    public ulong used;
}
