using Prometheus;

namespace Vespa.Worker.Metrics.Gpu;

/// <summary>
/// The <c>vespa_gpu_*</c> collectors, created in the worker's registry only once NVML has found a GPU (so a machine
/// without one exports no GPU family at all). Units follow the names; every series carries <c>gpu</c> (the NVML
/// index), <c>name</c> and <c>uuid</c>.
/// </summary>
internal sealed class GpuMetrics
{
    public const string UtilizationName = "vespa_gpu_utilization_percent";
    public const string MemoryUtilizationName = "vespa_gpu_memory_utilization_percent";
    public const string MemoryUsedName = "vespa_gpu_memory_used_bytes";
    public const string MemoryTotalName = "vespa_gpu_memory_total_bytes";
    public const string TemperatureName = "vespa_gpu_temperature_celsius";
    public const string PowerName = "vespa_gpu_power_watts";
    public const string PowerLimitName = "vespa_gpu_power_limit_watts";

    /// <summary>Every metric this class exports (the dashboard test checks its GPU panels against this list).</summary>
    public static readonly IReadOnlyList<string> Names =
    [
        UtilizationName, MemoryUtilizationName, MemoryUsedName, MemoryTotalName, TemperatureName, PowerName, PowerLimitName,
    ];

    public static readonly string[] LabelNames = ["gpu", "name", "uuid"];

    public GpuMetrics(CollectorRegistry registry)
    {
        var factory = Prometheus.Metrics.WithCustomRegistry(registry);
        Utilization = factory.CreateGauge(UtilizationName, "Percent of the last sample period the GPU ran a kernel (NVML).", LabelNames);
        MemoryUtilization = factory.CreateGauge(MemoryUtilizationName, "Percent of the last sample period device memory was read or written (NVML).", LabelNames);
        MemoryUsed = factory.CreateGauge(MemoryUsedName, "Device memory allocated, including the driver's reservation (NVML).", LabelNames);
        MemoryTotal = factory.CreateGauge(MemoryTotalName, "Device memory installed (NVML).", LabelNames);
        Temperature = factory.CreateGauge(TemperatureName, "GPU die temperature in degrees Celsius (NVML).", LabelNames);
        Power = factory.CreateGauge(PowerName, "Board power draw in watts (NVML).", LabelNames);
        PowerLimit = factory.CreateGauge(PowerLimitName, "Power cap the driver enforces, in watts (NVML).", LabelNames);
    }

    public Gauge Utilization { get; }

    public Gauge MemoryUtilization { get; }

    public Gauge MemoryUsed { get; }

    public Gauge MemoryTotal { get; }

    public Gauge Temperature { get; }

    public Gauge Power { get; }

    public Gauge PowerLimit { get; }

    /// <summary>The gauges one reading sets (and withdraws when it fails).</summary>
    public IEnumerable<Gauge> GaugesOf(GpuReading reading) => reading switch
    {
        GpuReading.Utilization => [Utilization, MemoryUtilization],
        GpuReading.Memory => [MemoryUsed, MemoryTotal],
        GpuReading.Temperature => [Temperature],
        GpuReading.Power => [Power],
        _ => [PowerLimit],
    };
}
