using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Vespa.Testing;
using Vespa.Worker.Metrics.Gpu;
using Vespa.Worker.Tests.Infrastructure;

namespace Vespa.Worker.Tests.Integration;

/// <summary>The real worker's <c>/metrics</c> with and without NVML.</summary>
public sealed class GpuMetricsTests
{
    [GccFact]
    public async Task Worker_WithNvml_GpuSeriesBesideItsOwn_NeverReadOnTheRequestPath()
    {
        using var nvml = await FakeNvml.BuildAsync();
        await using var backend = await FakeBackend.StartAsync();
        // A long interval: after the first sample, any further NVML call could only come from requests or scrapes.
        await using var worker = await TestWorker.StartAsync(backend.BaseUrl, null, ("VESPA_NVML_LIBRARY", nvml.LibraryPath), ("VESPA_NVML_INTERVAL", "3600"));
        var sampler = SamplerOf(worker);
        await TaskTimeoutExtensions.WaitUntilAsync(() => sampler.Samples == 1, "the first GPU sample");
        var afterFirstSample = nvml.Calls("utilization");

        for (var i = 0; i < 20; i++)
        {
            using var response = await worker.Client.PostAsync("/v1/echo", new StringContent("{}", Encoding.UTF8, "application/json")).DefaultTimeout();
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        string text = "";
        for (var i = 0; i < 5; i++)
        {
            text = await worker.Client.GetStringAsync("/metrics").DefaultTimeout();
        }

        Assert.Equal(2, afterFirstSample);
        Assert.Equal(afterFirstSample, nvml.Calls("utilization"));
        var names = PrometheusSample.Parse(text).Select(s => s.Name).ToHashSet();
        Assert.All(GpuMetrics.Names, name => Assert.Contains(name, names));
        Assert.Contains("vespa_worker_requests_total", names);
        Assert.Contains("vespa_gpu_power_watts{gpu=\"0\",name=\"NVIDIA H200\",uuid=\"GPU-00000000-1111-2222-3333-444444444444\"} 312.5", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Worker_NvmlLibraryMissing_ServesAsUsualWithoutGpuSeries()
    {
        await using var backend = await FakeBackend.StartAsync();
        var missing = Path.Combine(Path.GetTempPath(), "vespa-no-such-dir", "libnvidia-ml.so.1");
        await using var worker = await TestWorker.StartAsync(backend.BaseUrl, null, ("VESPA_NVML_LIBRARY", missing));
        var sampler = SamplerOf(worker);
        await sampler.ExecuteTask!.DefaultTimeout(); // the sampler gave up quietly

        using var response = await worker.Client.PostAsync("/v1/echo", new StringContent("{}", Encoding.UTF8, "application/json")).DefaultTimeout();
        var text = await worker.Client.GetStringAsync("/metrics").DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(0, sampler.Samples);
        Assert.DoesNotContain("vespa_gpu_", text, StringComparison.Ordinal);
        Assert.Contains("vespa_worker_requests_total{outcome=\"success\"} 1", text, StringComparison.Ordinal);
    }

    private static GpuSampler SamplerOf(TestWorker worker) =>
        worker.Services.GetServices<IHostedService>().OfType<GpuSampler>().Single();
}
