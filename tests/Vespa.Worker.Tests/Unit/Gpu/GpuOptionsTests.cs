using Vespa.Worker.Options;

namespace Vespa.Worker.Tests.Unit.Gpu;

/// <summary><c>VESPA_NVML_LIBRARY</c> and <c>VESPA_NVML_INTERVAL</c>.</summary>
public sealed class GpuOptionsTests
{
    private static WorkerOptions Load(params (string Name, string Value)[] variables) =>
        WorkerOptionsLoader.Load(variables.ToDictionary(v => v.Name, v => v.Value));

    [Fact]
    public void Load_Nothing_DriverLibraryEveryFiveSeconds()
    {
        var options = Load();

        Assert.Null(options.NvmlLibrary);
        Assert.Equal(TimeSpan.FromSeconds(5), options.NvmlInterval);
    }

    [Fact]
    public void Load_LibraryAndInterval_Taken()
    {
        var options = Load(("VESPA_NVML_LIBRARY", "/usr/lib/x86_64-linux-gnu/libnvidia-ml.so.1"), ("VESPA_NVML_INTERVAL", "2.5"));

        Assert.Equal("/usr/lib/x86_64-linux-gnu/libnvidia-ml.so.1", options.NvmlLibrary);
        Assert.Equal(TimeSpan.FromSeconds(2.5), options.NvmlInterval);
    }

    [Fact]
    public void Load_IntervalZero_GpuMetricsOff()
    {
        Assert.Equal(TimeSpan.Zero, Load(("VESPA_NVML_INTERVAL", "0")).NvmlInterval);
    }

    [Theory]
    [InlineData("0.1", "0 (GPU metrics off) or at least 0.5 seconds")]
    [InlineData("-1", "a number from 0 to")]
    [InlineData("often", "a number from 0 to")]
    public void Load_BadInterval_RefusedNamingTheVariable(string value, string expected)
    {
        var error = Assert.Throws<WorkerOptionsException>(() => Load(("VESPA_NVML_INTERVAL", value)));

        Assert.Contains($"VESPA_NVML_INTERVAL='{value}' is invalid: expected {expected}", error.Message, StringComparison.Ordinal);
    }
}
