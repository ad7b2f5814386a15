namespace Vespa.Worker.Metrics.Gpu;

/// <summary>One NVML call per device and sample; each succeeds, fails or is unsupported on its own.</summary>
internal enum GpuReading
{
    /// <summary><c>nvmlDeviceGetUtilizationRates</c>: GPU and memory-controller busy percentages.</summary>
    Utilization,

    /// <summary><c>nvmlDeviceGetMemoryInfo</c>: memory used and installed.</summary>
    Memory,

    /// <summary><c>nvmlDeviceGetTemperature(NVML_TEMPERATURE_GPU)</c>.</summary>
    Temperature,

    /// <summary><c>nvmlDeviceGetPowerUsage</c>.</summary>
    Power,

    /// <summary><c>nvmlDeviceGetEnforcedPowerLimit</c>.</summary>
    PowerLimit,
}
