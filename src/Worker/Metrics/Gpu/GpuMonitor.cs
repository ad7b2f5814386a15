using Prometheus;

namespace Vespa.Worker.Metrics.Gpu;

/// <summary>
/// An initialised NVML session over the GPUs found at start: <see cref="Sample"/> reads each device and sets the
/// <c>vespa_gpu_*</c> gauges; <see cref="Dispose"/> withdraws them and calls <c>nvmlShutdown</c>.
/// </summary>
/// <remarks>
/// A failed reading never stops the others: its series are withdrawn until it succeeds again (a gap in the graph, not
/// a frozen value), and its warning is written at most once per <see cref="WarningPeriod"/> per device and reading,
/// with the number held back. A reading the device does not offer (<c>NVML_ERROR_NOT_SUPPORTED</c>) is said once at
/// Information and not asked again. Not thread-safe: one sampling loop owns it.
/// </remarks>
internal sealed partial class GpuMonitor : IDisposable
{
    public static readonly TimeSpan WarningPeriod = TimeSpan.FromMinutes(1);

    private static readonly GpuReading[] Readings =
        [GpuReading.Utilization, GpuReading.Memory, GpuReading.Temperature, GpuReading.Power, GpuReading.PowerLimit];

    private readonly NvmlLibrary _nvml;
    private readonly GpuMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ReadingState[,] _states;
    private readonly long _warningPeriodTicks;
    private bool _disposed;

    private GpuMonitor(NvmlLibrary nvml, IReadOnlyList<GpuDevice> devices, GpuMetrics metrics, TimeProvider time, ILogger logger)
    {
        _nvml = nvml;
        Devices = devices;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _states = new ReadingState[devices.Count, Readings.Length];
        _warningPeriodTicks = (long)(WarningPeriod.TotalSeconds * time.TimestampFrequency);
    }

    public IReadOnlyList<GpuDevice> Devices { get; }

    /// <summary>
    /// Loads NVML from <paramref name="library"/>, initialises it and lists the GPUs; null when there is nothing to
    /// sample, after one log line saying why: Information when NVML or its driver is simply absent, Warning when a
    /// configured library cannot be used or NVML fails in a way that needs a person.
    /// </summary>
    public static GpuMonitor? TryOpen(string library, bool configured, CollectorRegistry registry, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(registry);
        var nvml = NvmlLibrary.TryLoad(library, out var loadError);
        if (nvml is null)
        {
            if (configured)
            {
                Log.ConfiguredLibraryUnusable(logger, library, loadError);
            }
            else
            {
                Log.NvmlAbsent(logger, library, loadError);
            }

            return null;
        }

        var init = nvml.Init();
        if (init != NvmlReturn.Success)
        {
            if (init == NvmlReturn.DriverNotLoaded)
            {
                Log.NoDriver(logger, library);
            }
            else
            {
                Log.InitFailed(logger, library, (int)init, nvml.ErrorString(init));
            }

            nvml.Dispose();
            return null;
        }

        var devices = ListDevices(nvml, logger);
        if (devices.Count == 0)
        {
            Log.NoDevices(logger, library);
            ShutDown(nvml, logger);
            return null;
        }

        if (logger.IsEnabled(LogLevel.Information))
        {
            nvml.GetDriverVersion(out var driver);
            var list = string.Join(", ", devices.Select(d => $"{d.Index} {d.Name} ({d.Uuid})"));
            Log.Opened(logger, devices.Count, library, driver, list);
        }

        return new GpuMonitor(nvml, devices, new GpuMetrics(registry), time, logger);
    }

    /// <summary>Reads every device once and updates the gauges.</summary>
    public void Sample()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        foreach (var device in Devices)
        {
            foreach (var reading in Readings)
            {
                Read(device, reading);
            }
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var device in Devices)
        {
            foreach (var reading in Readings)
            {
                Withdraw(device, reading);
            }
        }

        ShutDown(_nvml, _logger);
    }

    private static List<GpuDevice> ListDevices(NvmlLibrary nvml, ILogger logger)
    {
        var devices = new List<GpuDevice>();
        var result = nvml.GetDeviceCount(out var count);
        if (result != NvmlReturn.Success)
        {
            Log.CountFailed(logger, (int)result, nvml.ErrorString(result));
            return devices;
        }

        for (var index = 0u; index < count; index++)
        {
            // A GPU outside this container's share answers NO_PERMISSION here: skip it, keep the others.
            result = nvml.GetDeviceHandle(index, out var handle);
            if (result != NvmlReturn.Success)
            {
                Log.DeviceSkipped(logger, index, (int)result, nvml.ErrorString(result));
                continue;
            }

            var name = nvml.GetDeviceName(handle, out var n) == NvmlReturn.Success ? n : "unknown";
            var uuid = nvml.GetDeviceUuid(handle, out var u) == NvmlReturn.Success ? u : "unknown";
            devices.Add(new GpuDevice(devices.Count, index, name, uuid, handle));
        }

        return devices;
    }

    private static void ShutDown(NvmlLibrary nvml, ILogger logger)
    {
        var result = nvml.Shutdown();
        if (result != NvmlReturn.Success && logger.IsEnabled(LogLevel.Debug))
        {
            var error = nvml.ErrorString(result);
            Log.ShutdownFailed(logger, (int)result, error);
        }

        nvml.Dispose();
    }

    private void Read(GpuDevice device, GpuReading reading)
    {
        ref var state = ref _states[device.Ordinal, (int)reading];
        if (state.Unsupported)
        {
            return;
        }

        var result = reading switch
        {
            GpuReading.Utilization => ReadUtilization(device),
            GpuReading.Memory => ReadMemory(device),
            GpuReading.Temperature => ReadTemperature(device),
            GpuReading.Power => ReadPower(device),
            _ => ReadPowerLimit(device),
        };
        if (result == NvmlReturn.Success)
        {
            return;
        }

        Withdraw(device, reading);
        if (result == NvmlReturn.NotSupported)
        {
            state.Unsupported = true;
            Log.ReadingNotSupported(_logger, reading, device.Index, device.Name);
            return;
        }

        var now = _time.GetTimestamp();
        if (now < state.NextWarning)
        {
            state.Suppressed++;
            return;
        }

        Log.ReadingFailed(_logger, reading, device.Index, device.Name, (int)result, _nvml.ErrorString(result), state.Suppressed);
        state.Suppressed = 0;
        state.NextWarning = now + _warningPeriodTicks;
    }

    private NvmlReturn ReadUtilization(GpuDevice device)
    {
        var result = _nvml.GetUtilization(device.Handle, out var utilization);
        if (result == NvmlReturn.Success)
        {
            _metrics.Utilization.WithLabels(device.Labels).Set(utilization.gpu);
            _metrics.MemoryUtilization.WithLabels(device.Labels).Set(utilization.memory);
        }

        return result;
    }

    private NvmlReturn ReadMemory(GpuDevice device)
    {
        var result = _nvml.GetMemory(device.Handle, out var memory);
        if (result == NvmlReturn.Success)
        {
            _metrics.MemoryUsed.WithLabels(device.Labels).Set(memory.used);
            _metrics.MemoryTotal.WithLabels(device.Labels).Set(memory.total);
        }

        return result;
    }

    private NvmlReturn ReadTemperature(GpuDevice device)
    {
        var result = _nvml.GetTemperature(device.Handle, out var celsius);
        if (result == NvmlReturn.Success)
        {
            _metrics.Temperature.WithLabels(device.Labels).Set(celsius);
        }

        return result;
    }

    private NvmlReturn ReadPower(GpuDevice device)
    {
        var result = _nvml.GetPowerUsage(device.Handle, out var milliwatts);
        if (result == NvmlReturn.Success)
        {
            _metrics.Power.WithLabels(device.Labels).Set(milliwatts / 1000.0);
        }

        return result;
    }

    private NvmlReturn ReadPowerLimit(GpuDevice device)
    {
        var result = _nvml.GetEnforcedPowerLimit(device.Handle, out var milliwatts);
        if (result == NvmlReturn.Success)
        {
            _metrics.PowerLimit.WithLabels(device.Labels).Set(milliwatts / 1000.0);
        }

        return result;
    }

    private void Withdraw(GpuDevice device, GpuReading reading)
    {
        foreach (var gauge in _metrics.GaugesOf(reading))
        {
            gauge.RemoveLabelled(device.Labels);
        }
    }

    /// <summary>What the monitor remembers per device and reading between samples.</summary>
    private struct ReadingState
    {
        public bool Unsupported;
        public long NextWarning;
        public int Suppressed;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 701, EventName = "NvmlAbsent", Level = LogLevel.Information, Message = "No GPU metrics: NVML ({Library}) is not on this machine ({Reason})")]
        public static partial void NvmlAbsent(ILogger logger, string library, string? reason);

        [LoggerMessage(EventId = 702, EventName = "NvmlLibraryUnusable", Level = LogLevel.Warning, Message = "No GPU metrics: VESPA_NVML_LIBRARY={Library} cannot be used: {Reason}")]
        public static partial void ConfiguredLibraryUnusable(ILogger logger, string library, string? reason);

        [LoggerMessage(EventId = 703, EventName = "NvmlNoDriver", Level = LogLevel.Information, Message = "No GPU metrics: {Library} is present but no NVIDIA driver is loaded (no GPU passed to this container)")]
        public static partial void NoDriver(ILogger logger, string library);

        [LoggerMessage(EventId = 704, EventName = "NvmlInitFailed", Level = LogLevel.Warning, Message = "No GPU metrics: nvmlInit of {Library} failed with {Code} ({Error})")]
        public static partial void InitFailed(ILogger logger, string library, int code, string error);

        [LoggerMessage(EventId = 705, EventName = "NvmlNoDevices", Level = LogLevel.Information, Message = "No GPU metrics: NVML ({Library}) sees no GPU this process may read")]
        public static partial void NoDevices(ILogger logger, string library);

        [LoggerMessage(EventId = 706, EventName = "GpuMetricsStarted", Level = LogLevel.Information, Message = "GPU metrics from NVML for {Count} GPU(s) ({Library}, driver {Driver}): {Devices}")]
        public static partial void Opened(ILogger logger, int count, string library, string driver, string devices);

        [LoggerMessage(EventId = 707, EventName = "NvmlCountFailed", Level = LogLevel.Warning, Message = "No GPU metrics: nvmlDeviceGetCount failed with {Code} ({Error})")]
        public static partial void CountFailed(ILogger logger, int code, string error);

        [LoggerMessage(EventId = 708, EventName = "GpuSkipped", Level = LogLevel.Warning, Message = "GPU {Index} left out of the GPU metrics: nvmlDeviceGetHandleByIndex failed with {Code} ({Error})")]
        public static partial void DeviceSkipped(ILogger logger, uint index, int code, string error);

        [LoggerMessage(EventId = 709, EventName = "GpuReadingNotSupported", Level = LogLevel.Information, Message = "GPU {Index} ({Name}) does not report {Reading}: that series is left out")]
        public static partial void ReadingNotSupported(ILogger logger, GpuReading reading, uint index, string name);

        [LoggerMessage(EventId = 710, EventName = "GpuReadingFailed", Level = LogLevel.Warning, Message = "GPU {Index} ({Name}): reading {Reading} failed with {Code} ({Error}); left out until it succeeds ({Suppressed} more failures since the last warning)")]
        public static partial void ReadingFailed(ILogger logger, GpuReading reading, uint index, string name, int code, string error, int suppressed);

        [LoggerMessage(EventId = 711, EventName = "NvmlShutdownFailed", Level = LogLevel.Debug, Message = "nvmlShutdown failed with {Code} ({Error})")]
        public static partial void ShutdownFailed(ILogger logger, int code, string error);
    }
}
