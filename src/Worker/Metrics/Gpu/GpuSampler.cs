using Prometheus;
using Vespa.Worker.Options;

namespace Vespa.Worker.Metrics.Gpu;

/// <summary>
/// Reads the GPUs through NVML every <c>VESPA_NVML_INTERVAL</c> (5 s) on its own loop, so neither a request nor a
/// scrape ever waits on the driver; a scrape serves the last sample. Without NVML it logs one line and ends.
/// </summary>
/// <remarks>
/// NVML is initialised when the loop starts and shut down when the host stops. A failure of the sampler itself ends
/// the GPU metrics with a warning, never the worker.
/// </remarks>
internal sealed partial class GpuSampler : BackgroundService
{
    private readonly CollectorRegistry _registry;
    private readonly WorkerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _defaultLibrary;
    private int _samples;

    public GpuSampler(WorkerMetrics metrics, WorkerOptions options, TimeProvider time, ILogger<GpuSampler> logger)
        : this(metrics.Registry, options, time, logger, NvmlLibrary.DefaultName)
    {
    }

    /// <summary>For tests: <paramref name="defaultLibrary"/> stands in for <c>libnvidia-ml.so.1</c>.</summary>
    internal GpuSampler(CollectorRegistry registry, WorkerOptions options, TimeProvider time, ILogger logger, string defaultLibrary)
    {
        _registry = registry;
        _options = options;
        _time = time;
        _logger = logger;
        _defaultLibrary = defaultLibrary;
    }

    /// <summary>Samples taken so far (tests wait on it).</summary>
    internal int Samples => Volatile.Read(ref _samples);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_options.NvmlInterval <= TimeSpan.Zero)
        {
            Log.Off(_logger);
            return;
        }

        // nvmlInit can take a second or more on a host with many GPUs: never on the start-up path.
        await Task.Yield();
        GpuMonitor? monitor = null;
        try
        {
            monitor = GpuMonitor.TryOpen(_options.NvmlLibrary ?? _defaultLibrary, _options.NvmlLibrary is not null, _registry, _time, _logger);
            if (monitor is null)
            {
                return;
            }

            using var timer = new PeriodicTimer(_options.NvmlInterval, _time);
            SampleOnce(monitor);
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                SampleOnce(monitor);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
#pragma warning disable CA1031 // The GPU figures are an extra: whatever goes wrong here must not stop a serving worker.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Log.Failed(_logger, e);
        }
        finally
        {
            monitor?.Dispose();
        }
    }

    private void SampleOnce(GpuMonitor monitor)
    {
        monitor.Sample();
        Interlocked.Increment(ref _samples);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 720, EventName = "GpuMetricsOff", Level = LogLevel.Information, Message = "No GPU metrics: VESPA_NVML_INTERVAL=0")]
        public static partial void Off(ILogger logger);

        [LoggerMessage(EventId = 721, EventName = "GpuSamplerFailed", Level = LogLevel.Warning, Message = "GPU metrics stopped after an unexpected failure; the worker goes on")]
        public static partial void Failed(ILogger logger, Exception exception);
    }
}
