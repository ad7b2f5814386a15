namespace Vespa.Worker.Metrics.Gpu;

/// <summary><c>nvmlReturn_t</c> (nvml.h): the result of every NVML call. Only the codes we act on are named.</summary>
internal enum NvmlReturn
{
    Success = 0,
    Uninitialized = 1,
    InvalidArgument = 2,

    /// <summary>The device does not offer this reading (power on many consumer boards, temperature on some vGPUs).</summary>
    NotSupported = 3,
    NoPermission = 4,
    InsufficientSize = 7,

    /// <summary><c>nvmlInit</c> found no NVIDIA kernel driver (a container without <c>--gpus</c>).</summary>
    DriverNotLoaded = 9,

    /// <summary>The GPU fell off the bus or became inaccessible (Xid 79).</summary>
    GpuIsLost = 15,

    /// <summary>The user-space library does not match the kernel driver.</summary>
    LibRmVersionMismatch = 18,
    Unknown = 999,
}
