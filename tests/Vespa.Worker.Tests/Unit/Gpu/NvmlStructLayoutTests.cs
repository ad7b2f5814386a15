using System.Runtime.InteropServices;
using Vespa.Worker.Metrics.Gpu;

namespace Vespa.Worker.Tests.Unit.Gpu;

/// <summary>The C# mirrors of the NVML structs have nvml.h's layouts (x86-64 and arm64 alike); no library needed.</summary>
public sealed class NvmlStructLayoutTests
{
    [Fact]
    public void NvmlMemory_ThreeUnsignedLongLongsTotalFreeUsed()
    {
        Assert.Equal(24, Marshal.SizeOf<NvmlMemory>());
        Assert.Equal(0, (int)Marshal.OffsetOf<NvmlMemory>(nameof(NvmlMemory.total)));
        Assert.Equal(8, (int)Marshal.OffsetOf<NvmlMemory>(nameof(NvmlMemory.free)));
        Assert.Equal(16, (int)Marshal.OffsetOf<NvmlMemory>(nameof(NvmlMemory.used)));
    }

    [Fact]
    public void NvmlUtilization_TwoUnsignedIntsGpuMemory()
    {
        Assert.Equal(8, Marshal.SizeOf<NvmlUtilization>());
        Assert.Equal(0, (int)Marshal.OffsetOf<NvmlUtilization>(nameof(NvmlUtilization.gpu)));
        Assert.Equal(4, (int)Marshal.OffsetOf<NvmlUtilization>(nameof(NvmlUtilization.memory)));
    }

    [Fact]
    public void NvmlReturn_IsAFourByteCInt()
    {
        Assert.Equal(sizeof(int), Marshal.SizeOf(Enum.GetUnderlyingType(typeof(NvmlReturn))));
        Assert.Equal(3, (int)NvmlReturn.NotSupported);
        Assert.Equal(9, (int)NvmlReturn.DriverNotLoaded);
        Assert.Equal(15, (int)NvmlReturn.GpuIsLost);
        Assert.Equal(999, (int)NvmlReturn.Unknown);
    }
}
