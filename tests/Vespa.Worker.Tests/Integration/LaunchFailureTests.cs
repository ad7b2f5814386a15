using System.Diagnostics;
using Vespa.Emulator;
using Vespa.Testing;

namespace Vespa.Worker.Tests.Integration;

/// <summary>The real vespa-worker process with a broken configuration reports the error to the autoscaler.</summary>
public sealed class LaunchFailureTests
{
    [Fact]
    public async Task BadConfiguration_ErrorBeaconReachesTheAutoscaler()
    {
        await using var emulator = await AutoscalerEmulator.StartAsync(new EmulatorOptions { Port = 0, PrivateKeyPem = TestAutoscalerKey.Shared.PrivateKeyPem }).DefaultTimeout();
        var start = new ProcessStartInfo("dotnet", Path.Combine(AppContext.BaseDirectory, "vespa-worker.dll"))
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        start.Environment["REPORT_ADDR"] = emulator.BaseUrl.ToString();
        start.Environment["CONTAINER_ID"] = "5";
        start.Environment["VESPA_WORKER_PORT"] = "not-a-port";
        using var process = Process.Start(start)!;
        try
        {
            var report = await emulator.WaitForStatusReportAsync(r => r.ErrorMsg.Length > 0).WaitAsync(TimeSpan.FromSeconds(60));

            Assert.StartsWith("vespa-worker failed to launch:", report.ErrorMsg, StringComparison.Ordinal);
            Assert.Contains("VESPA_WORKER_PORT", report.ErrorMsg, StringComparison.Ordinal);
            Assert.Equal(5, report.Id);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync().DefaultTimeout();
        }
    }
}
