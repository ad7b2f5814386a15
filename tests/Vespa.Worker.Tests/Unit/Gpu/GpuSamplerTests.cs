using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Prometheus;
using Vespa.Testing;
using Vespa.Worker.Metrics.Gpu;
using Vespa.Worker.Options;
using Vespa.Worker.Tests.Infrastructure;

namespace Vespa.Worker.Tests.Unit.Gpu;

/// <summary>The sampling loop: NVML read on its own clock, started and shut down with the host, silent without NVML.</summary>
public sealed class GpuSamplerTests : IDisposable
{
    private readonly CollectorRegistry _registry = Prometheus.Metrics.NewCustomRegistry();
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UnixEpoch);
    private readonly ListLogger<GpuSampler> _logger = new();
    private FakeNvml? _nvml;

    [Fact]
    public async Task NoNvmlOnTheMachine_NoGpuSeriesAndOneInformationLine()
    {
        // The default library name stands in for libnvidia-ml.so.1, which a GPU machine would have.
        using var sampler = new GpuSampler(_registry, new WorkerOptions(), _time, _logger, defaultLibrary: "libvespa-test-absent-nvml.so.1");

        await sampler.StartAsync(CancellationToken.None).DefaultTimeout();
        await sampler.ExecuteTask!.DefaultTimeout();

        Assert.Equal(0, sampler.Samples);
        var line = Assert.Single(_logger.Entries);
        Assert.Equal((LogLevel.Information, "NvmlAbsent"), (line.Level, line.Event));
        Assert.StartsWith("No GPU metrics: NVML (libvespa-test-absent-nvml.so.1) is not on this machine", line.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("vespa_gpu_", await PrometheusSample.ScrapeAsync(_registry), StringComparison.Ordinal);
        await sampler.StopAsync(CancellationToken.None).DefaultTimeout();
        Assert.Single(_logger.Entries);
    }

    [GccFact]
    public async Task FakeNvml_SampledAtStartThenOnEveryInterval()
    {
        _nvml = await FakeNvml.BuildAsync();
        using var sampler = Create(new WorkerOptions { NvmlLibrary = _nvml.LibraryPath, NvmlInterval = TimeSpan.FromSeconds(5) });

        await sampler.StartAsync(CancellationToken.None).DefaultTimeout();
        await TaskTimeoutExtensions.WaitUntilAsync(() => sampler.Samples == 1, "the first sample");
        Assert.Equal(2, _nvml.Calls("utilization")); // one per GPU

        _time.Advance(TimeSpan.FromSeconds(4));
        await Task.Delay(50);
        Assert.Equal(1, sampler.Samples); // not before the interval

        _time.Advance(TimeSpan.FromSeconds(1));
        await TaskTimeoutExtensions.WaitUntilAsync(() => sampler.Samples == 2, "the second sample");
        _time.Advance(TimeSpan.FromSeconds(5));
        await TaskTimeoutExtensions.WaitUntilAsync(() => sampler.Samples == 3, "the third sample");
        Assert.Equal(6, _nvml.Calls("utilization"));
        Assert.Contains("vespa_gpu_utilization_percent{gpu=\"0\"", await PrometheusSample.ScrapeAsync(_registry), StringComparison.Ordinal);

        await sampler.StopAsync(CancellationToken.None).DefaultTimeout();
    }

    [GccFact]
    public async Task Stop_ShutsNvmlDownOnceAndWithdrawsTheSeries()
    {
        _nvml = await FakeNvml.BuildAsync();
        using var sampler = Create(new WorkerOptions { NvmlLibrary = _nvml.LibraryPath });
        await sampler.StartAsync(CancellationToken.None).DefaultTimeout();
        await TaskTimeoutExtensions.WaitUntilAsync(() => sampler.Samples == 1, "the first sample");

        await sampler.StopAsync(CancellationToken.None).DefaultTimeout();

        Assert.Equal(1, _nvml.Calls("init"));
        Assert.Equal(1, _nvml.Calls("shutdown"));
        Assert.DoesNotContain(PrometheusSample.Parse(await PrometheusSample.ScrapeAsync(_registry)), s => s.Name.StartsWith("vespa_gpu_", StringComparison.Ordinal));
        Assert.DoesNotContain(_logger.Entries, e => e.Level >= LogLevel.Error);
    }

    [GccFact]
    public async Task IntervalZero_NvmlNeverLoaded()
    {
        _nvml = await FakeNvml.BuildAsync();
        using var sampler = Create(new WorkerOptions { NvmlLibrary = _nvml.LibraryPath, NvmlInterval = TimeSpan.Zero });

        await sampler.StartAsync(CancellationToken.None).DefaultTimeout();
        await sampler.ExecuteTask!.DefaultTimeout();

        Assert.Equal(0, _nvml.Calls("init"));
        var line = Assert.Single(_logger.Entries);
        Assert.Equal((LogLevel.Information, "GpuMetricsOff"), (line.Level, line.Event));
        Assert.DoesNotContain("vespa_gpu_", await PrometheusSample.ScrapeAsync(_registry), StringComparison.Ordinal);
    }

    public void Dispose() => _nvml?.Dispose();

    private GpuSampler Create(WorkerOptions options) => new(_registry, options, _time, _logger, defaultLibrary: "libvespa-test-absent-nvml.so.1");
}
