using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Prometheus;
using Vespa.Worker.Metrics.Gpu;
using Vespa.Worker.Tests.Infrastructure;

namespace Vespa.Worker.Tests.Unit.Gpu;

/// <summary>
/// The NVML binding and the mapping of its readings to <c>vespa_gpu_*</c>, against the fake library (fake-nvml.c):
/// GPU 0 answers everything, GPU 1 fails its temperature and does not support power readings.
/// </summary>
public sealed class GpuMonitorTests : IDisposable
{
    private const string H200 = "gpu=\"0\",name=\"NVIDIA H200\",uuid=\"GPU-00000000-1111-2222-3333-444444444444\"";
    private const string T4 = "gpu=\"1\",name=\"NVIDIA T4\",uuid=\"GPU-55555555-6666-7777-8888-999999999999\"";

    private readonly CollectorRegistry _registry = Prometheus.Metrics.NewCustomRegistry();
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UnixEpoch);
    private readonly ListLogger<GpuMonitor> _logger = new();
    private FakeNvml? _nvml;

    [GccFact]
    public async Task Sample_FakeDevices_EveryReadingWithItsDeviceLabels()
    {
        using var monitor = await OpenAsync();

        monitor.Sample();

        var text = await PrometheusSample.ScrapeAsync(_registry);
        Assert.Contains($"vespa_gpu_utilization_percent{{{H200}}} 42\n", text, StringComparison.Ordinal);
        Assert.Contains($"vespa_gpu_memory_utilization_percent{{{H200}}} 17\n", text, StringComparison.Ordinal);
        Assert.Contains($"vespa_gpu_memory_used_bytes{{{H200}}} 21474836480\n", text, StringComparison.Ordinal);
        Assert.Contains($"vespa_gpu_memory_total_bytes{{{H200}}} 85899345920\n", text, StringComparison.Ordinal);
        Assert.Contains($"vespa_gpu_temperature_celsius{{{H200}}} 65\n", text, StringComparison.Ordinal);
        Assert.Contains($"vespa_gpu_power_watts{{{H200}}} 312.5\n", text, StringComparison.Ordinal);
        Assert.Contains($"vespa_gpu_power_limit_watts{{{H200}}} 700\n", text, StringComparison.Ordinal);
        Assert.Contains($"vespa_gpu_utilization_percent{{{T4}}} 100\n", text, StringComparison.Ordinal);
        Assert.Contains($"vespa_gpu_memory_utilization_percent{{{T4}}} 55\n", text, StringComparison.Ordinal);
        Assert.Contains($"vespa_gpu_memory_used_bytes{{{T4}}} 4294967296\n", text, StringComparison.Ordinal);
        Assert.Contains($"vespa_gpu_memory_total_bytes{{{T4}}} 17179869184\n", text, StringComparison.Ordinal);

        // GPU 1's failed and unsupported readings are absent, not zero.
        var t4 = PrometheusSample.Parse(text).Where(s => s.Labels.GetValueOrDefault("gpu") == "1").Select(s => s.Name).ToHashSet();
        Assert.DoesNotContain(GpuMetrics.TemperatureName, t4);
        Assert.DoesNotContain(GpuMetrics.PowerName, t4);
        Assert.DoesNotContain(GpuMetrics.PowerLimitName, t4);
        Assert.Equal(4, t4.Count);
    }

    [GccFact]
    public async Task Open_FakeDevices_OneLineWithTheDevicesAndDriver()
    {
        using var monitor = await OpenAsync();

        Assert.Equal(["NVIDIA H200", "NVIDIA T4"], monitor.Devices.Select(d => d.Name));
        Assert.Equal([0u, 1u], monitor.Devices.Select(d => d.Index));
        var line = Assert.Single(_logger.Entries);
        Assert.Equal(LogLevel.Information, line.Level);
        Assert.Equal("GpuMetricsStarted", line.Event);
        Assert.Contains("2 GPU(s)", line.Message, StringComparison.Ordinal);
        Assert.Contains("driver 550.54.15", line.Message, StringComparison.Ordinal);
        Assert.Contains("1 NVIDIA T4 (GPU-55555555-6666-7777-8888-999999999999)", line.Message, StringComparison.Ordinal);
        Assert.Equal(1, _nvml!.Calls("init"));
    }

    [GccFact]
    public async Task Sample_ReadingFails_SkippedWithOneWarningPerMinute()
    {
        using var monitor = await OpenAsync();

        monitor.Sample();
        monitor.Sample();
        _time.Advance(TimeSpan.FromSeconds(30));
        monitor.Sample();

        var first = Assert.Single(_logger.Named("GpuReadingFailed"));
        Assert.Equal(LogLevel.Warning, first.Level);
        Assert.Contains("GPU 1 (NVIDIA T4): reading Temperature failed with 999 (Unknown Error)", first.Message, StringComparison.Ordinal);
        Assert.Equal(3, _nvml!.Calls("temperature") / 2); // asked each time on both GPUs

        _time.Advance(GpuMonitor.WarningPeriod);
        monitor.Sample();

        var warnings = _logger.Named("GpuReadingFailed").ToList();
        Assert.Equal(2, warnings.Count);
        Assert.Contains("(2 more failures since the last warning)", warnings[1].Message, StringComparison.Ordinal);
        // The other GPU's temperature is unaffected.
        Assert.Contains($"vespa_gpu_temperature_celsius{{{H200}}} 65\n", await PrometheusSample.ScrapeAsync(_registry), StringComparison.Ordinal);
    }

    [GccFact]
    public async Task Sample_ReadingNotSupported_SaidOnceAndNotAskedAgain()
    {
        using var monitor = await OpenAsync();

        for (var i = 0; i < 4; i++)
        {
            monitor.Sample();
        }

        var unsupported = _logger.Named("GpuReadingNotSupported").ToList();
        Assert.Equal(2, unsupported.Count);
        Assert.All(unsupported, e => Assert.Equal(LogLevel.Information, e.Level));
        Assert.Contains(unsupported, e => e.Message.Contains("GPU 1 (NVIDIA T4) does not report Power", StringComparison.Ordinal));
        Assert.Contains(unsupported, e => e.Message.Contains("GPU 1 (NVIDIA T4) does not report PowerLimit", StringComparison.Ordinal));
        Assert.Equal(4 + 1, _nvml!.Calls("power")); // GPU 0 every time, GPU 1 once
        Assert.DoesNotContain(_logger.Entries, e => e.Level >= LogLevel.Error);
    }

    [GccFact]
    public async Task Dispose_ShutsNvmlDownAndWithdrawsEverySeries()
    {
        var monitor = await OpenAsync();
        monitor.Sample();
        Assert.Contains("vespa_gpu_", await PrometheusSample.ScrapeAsync(_registry), StringComparison.Ordinal);

        monitor.Dispose();
        monitor.Dispose();

        Assert.Equal(1, _nvml!.Calls("shutdown"));
        Assert.DoesNotContain(PrometheusSample.Parse(await PrometheusSample.ScrapeAsync(_registry)), s => s.Name.StartsWith("vespa_gpu_", StringComparison.Ordinal));
        Assert.Throws<ObjectDisposedException>(monitor.Sample);
    }

    [GccFact]
    public async Task Open_NoDriver_OneInformationLineNoSeriesNoShutdown()
    {
        _nvml = await FakeNvml.BuildAsync("FAKE_NVML_NO_DRIVER");

        var monitor = GpuMonitor.TryOpen(_nvml.LibraryPath, configured: false, _registry, _time, _logger);

        Assert.Null(monitor);
        var line = Assert.Single(_logger.Entries);
        Assert.Equal((LogLevel.Information, "NvmlNoDriver"), (line.Level, line.Event));
        Assert.Equal(0, _nvml.Calls("shutdown")); // nvmlShutdown only pairs with a successful nvmlInit
        Assert.DoesNotContain("vespa_gpu_", await PrometheusSample.ScrapeAsync(_registry), StringComparison.Ordinal);
    }

    [GccFact]
    public async Task Open_NoDevices_OneInformationLineAndShutdown()
    {
        _nvml = await FakeNvml.BuildAsync("FAKE_NVML_DEVICE_COUNT=0");

        var monitor = GpuMonitor.TryOpen(_nvml.LibraryPath, configured: false, _registry, _time, _logger);

        Assert.Null(monitor);
        var line = Assert.Single(_logger.Entries);
        Assert.Equal((LogLevel.Information, "NvmlNoDevices"), (line.Level, line.Event));
        Assert.Equal(1, _nvml.Calls("init"));
        Assert.Equal(1, _nvml.Calls("shutdown"));
        Assert.DoesNotContain("vespa_gpu_", await PrometheusSample.ScrapeAsync(_registry), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_LibraryAbsent_OneInformationLineNoSeries()
    {
        var monitor = GpuMonitor.TryOpen("libvespa-test-absent-nvml.so.1", configured: false, _registry, _time, _logger);

        Assert.Null(monitor);
        var line = Assert.Single(_logger.Entries);
        Assert.Equal((LogLevel.Information, "NvmlAbsent"), (line.Level, line.Event));
        Assert.Contains("libvespa-test-absent-nvml.so.1", line.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("vespa_gpu_", await PrometheusSample.ScrapeAsync(_registry), StringComparison.Ordinal);
    }

    [Fact]
    public void Open_ConfiguredLibraryMissing_OneWarningNamingIt()
    {
        var path = Path.Combine(Path.GetTempPath(), "vespa-no-such-dir", "libnvidia-ml.so.1");

        var monitor = GpuMonitor.TryOpen(path, configured: true, _registry, _time, _logger);

        Assert.Null(monitor);
        var line = Assert.Single(_logger.Entries);
        Assert.Equal((LogLevel.Warning, "NvmlLibraryUnusable"), (line.Level, line.Event));
        Assert.Contains($"VESPA_NVML_LIBRARY={path} cannot be used", line.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_LibraryWithoutNvml_OneWarningNoCall()
    {
        // A real library that is not NVML: the binding refuses it before calling anything.
        var monitor = GpuMonitor.TryOpen("libc.so.6", configured: true, _registry, _time, _logger);

        Assert.Null(monitor);
        var line = Assert.Single(_logger.Entries);
        Assert.Equal((LogLevel.Warning, "NvmlLibraryUnusable"), (line.Level, line.Event));
        Assert.Contains("libc.so.6 is not an NVML library", line.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _nvml?.Dispose();

    private async Task<GpuMonitor> OpenAsync()
    {
        _nvml = await FakeNvml.BuildAsync();
        return GpuMonitor.TryOpen(_nvml.LibraryPath, configured: true, _registry, _time, _logger)
            ?? throw new InvalidOperationException("the fake NVML did not open: " + string.Join("; ", _logger.Entries.Select(e => e.Message)));
    }
}
