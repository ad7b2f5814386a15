using Vespa.Emulator.Terminal;
using Vespa.Worker.Options;

namespace Vespa.Emulator.Tests.Terminal;

/// <summary>The worker environment the banner prints makes the worker report exactly the URL it was registered as,
/// port included (<c>--worker http://127.0.0.1:13000</c> must not print <c>VAST_TCP_PORT_3000</c>).</summary>
public sealed class WorkerEnvironmentTests
{
    private static readonly Uri Emulator = new("http://127.0.0.1:8081");

    [Fact]
    public void WorkerOnAnotherPort_GetsThatPort_NotTheDefault()
    {
        var environment = WorkerEnvironment.For(Emulator, new Uri("http://127.0.0.1:13000"), containerId: 1);

        Assert.Contains("VESPA_WORKER_PORT=13000", environment);
        Assert.Contains("VAST_TCP_PORT_13000=13000", environment);
        Assert.DoesNotContain(environment, v => v.StartsWith("VAST_TCP_PORT_3000", StringComparison.Ordinal));
        Assert.Contains("VESPA_HOST=127.0.0.1", environment);
        Assert.Equal("REPORT_ADDR=http://127.0.0.1:8081", environment[0]);
    }

    [Theory]
    [InlineData("http://127.0.0.1:13000")]
    [InlineData("http://127.0.0.1:3000")]
    [InlineData("https://127.0.0.1:4443")]
    [InlineData("http://192.0.2.10:40123")]
    public void TheWorkerLoadingIt_ReportsTheRegisteredUrl(string url)
    {
        var environment = WorkerEnvironment.For(Emulator, new Uri(url), containerId: 3)
            .Select(v => v.Split('=', 2))
            .ToDictionary(p => p[0], p => p[1]);

        var options = WorkerOptionsLoader.Load(environment);

        Assert.Equal(url, options.PublicUrl);
        Assert.Equal(new Uri(url).Port, options.WorkerPort);
        Assert.False(options.Unsecured);
        Assert.Equal(3, options.ContainerId);
    }
}
