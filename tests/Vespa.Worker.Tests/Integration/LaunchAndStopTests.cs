using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Vespa.Emulator;
using Vespa.Testing;
using Vespa.Worker.Lifecycle;
using Vespa.Worker.Tests.Infrastructure;

namespace Vespa.Worker.Tests.Integration;

/// <summary>Issue 9 findings 12–14: launch and stop are exact, as the autoscaler and the container runtime see them.</summary>
public sealed class LaunchAndStopTests
{
    [Fact]
    public async Task PortInUse_OnlyTheBeaconRuns_NoReadyReportNoHealthCheck()
    {
        await using var emulator = await StartEmulatorAsync();
        await using var backend = await FakeBackend.StartAsync();
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var environment = SecuredEnvironment(emulator, backend);
        environment["VESPA_WORKER_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        environment[$"VAST_TCP_PORT_{port}"] = "41234";

        await using var worker = WorkerProcess.Start(environment);
        var beacon = await emulator.WaitForStatusReportAsync(r => r.ErrorMsg.Length > 0).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.StartsWith("vespa-worker failed to launch:", beacon.ErrorMsg, StringComparison.Ordinal);
        Assert.Equal(0, beacon.LoadTime);
        // Long enough for 10 reports at the 0.1 s interval and for readiness to pass: none of it may happen.
        await Task.Delay(1500);
        Assert.False(worker.HasExited, worker.Output); // the beacon goes on until SIGTERM
        Assert.All(emulator.StatusReports, r => Assert.StartsWith("vespa-worker failed to launch:", r.ErrorMsg, StringComparison.Ordinal));
        Assert.DoesNotContain(backend.Requests, r => r.Path == "/health");
        Assert.Equal(0, emulator.GetAcceptedCount(EmulatorOperation.PubKey));

        worker.SendSigterm();
        Assert.Equal(2, await worker.WaitForExitAsync());
    }

    [Fact]
    public async Task SecuredWithoutItsPublicPort_ErrorMsgNamesTheVariable_AndItIsLogged()
    {
        var logs = new CapturedLogs();
        await using var h = await ReportingHarness.StartAsync(logs.Attach, time: null, waitForReady: true, waitForKey: true, prepare: null, ("VAST_TCP_PORT_0", ""), ("VAST_TCP_PORT_23000", "41000"));

        var report = await h.Emulator.WaitForStatusReportAsync(r => r.LoadTime > 0).DefaultTimeout();

        Assert.Contains("VAST_TCP_PORT_0 is not set", report.ErrorMsg, StringComparison.Ordinal);
        Assert.Contains("VAST_TCP_PORT_23000", report.ErrorMsg, StringComparison.Ordinal);
        Assert.Equal("", report.Url);
        Assert.Contains(logs.Entries, e => e.Level == Microsoft.Extensions.Logging.LogLevel.Error && e.Message.Contains("VAST_TCP_PORT_0 is not set", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Stop_SaysStoppingWhileDraining_ThenFinalReportWithTheLastCompletion()
    {
        await using var h = await ReportingHarness.StartAsync(settings: ("VESPA_DRAIN_TIMEOUT", "10"));
        var slow = h.PostAsync("/slow?ms=800", h.Route(cost: 25, requestIdx: 901));
        await TaskTimeoutExtensions.WaitUntilAsync(() => h.Backend.Requests.Any(r => r.Path == "/slow"), "the request at the backend");

        var stopping = h.Worker.StopAsync(); // what SIGTERM does
        var draining = await h.Emulator.WaitForStatusReportAsync(r => r.ErrorMsg.StartsWith("worker stopping (SIGTERM)", StringComparison.Ordinal)).DefaultTimeout();
        Assert.Contains(901, draining.WorkingRequestIdxs);
        Assert.Contains("1 in flight", draining.ErrorMsg, StringComparison.Ordinal);
        using (var response = await slow.DefaultTimeout())
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await stopping.DefaultTimeout();
        var last = h.Emulator.StatusReports[^1];
        Assert.StartsWith("worker stopping (SIGTERM)", last.ErrorMsg, StringComparison.Ordinal);
        Assert.Equal(0, last.CurLoad);
        Assert.Empty(last.WorkingRequestIdxs);
        Assert.Equal(25, h.Sum(r => r.CurPerf)); // the completion during the drain was reported
        Assert.Contains(h.Emulator.DeleteReports.SelectMany(r => r.Requests), d => d.RequestIdx == 901 && d.Status == "Success");
        Assert.Equal(0, h.Worker.Services.GetRequiredService<ShutdownMonitor>().ExitCode);
    }

    [Fact]
    public async Task Stop_DrainTimeoutCutsARequest_LoggedReportedAndExitCode1()
    {
        var logs = new CapturedLogs();
        await using var h = await ReportingHarness.StartAsync(logs.Attach, time: null, waitForReady: true, waitForKey: true, prepare: null, ("VESPA_DRAIN_TIMEOUT", "0.3"));
        var hanging = h.PostAsync("/hang", h.Route(cost: 3, requestIdx: 902));
        await h.Backend.HangStarted.Task.DefaultTimeout();

        await h.Worker.StopAsync().DefaultTimeout();

        var monitor = h.Worker.Services.GetRequiredService<ShutdownMonitor>();
        Assert.Equal(1, monitor.CutRequests);
        Assert.Equal(1, monitor.ExitCode);
        Assert.Contains(logs.Entries, e => e.Event == "DrainCut" && e.Level == Microsoft.Extensions.Logging.LogLevel.Error);
        Assert.Contains("1 requests still running after 0.3s (VESPA_DRAIN_TIMEOUT) were cut", h.Emulator.StatusReports[^1].ErrorMsg, StringComparison.Ordinal);
        Assert.Contains(h.Emulator.DeleteReports.SelectMany(r => r.Requests), d => d.RequestIdx == 902 && d.Status == "Cancelled");
        await Assert.ThrowsAnyAsync<Exception>(() => hanging).DefaultTimeout();
    }

    [Fact]
    public async Task Sigterm_RealProcess_FinalReport_AndACutDrainExitsNonZero()
    {
        await using var emulator = await StartEmulatorAsync();
        await using var backend = await FakeBackend.StartAsync();
        var environment = SecuredEnvironment(emulator, backend);
        environment["VESPA_DRAIN_TIMEOUT"] = "0.5";

        await using var worker = WorkerProcess.Start(environment);
        var url = await worker.WaitForListenAddressAsync();
        // The emulator signs the worker's public url (PUBLIC_IPADDR:VAST_TCP_PORT_0); the test calls it where it listens.
        emulator.RegisterWorker(new Uri("http://127.0.0.1:41234"));
        await emulator.WaitForStatusReportAsync(r => r.LoadTime > 0).WaitAsync(TimeSpan.FromSeconds(60));
        using var client = new HttpClient { BaseAddress = url, Timeout = TaskTimeoutExtensions.Timeout };
        var auth = emulator.Route(EmulatedEndpoint.Default.Name, 3, requestIdx: 903).AuthData!;
        var hanging = client.PostAsync("/hang", new StringContent(TestAutoscalerKey.Envelope(auth, "{}"), System.Text.Encoding.UTF8, "application/json"));
        await backend.HangStarted.Task.DefaultTimeout();

        worker.SendSigterm();

        Assert.Equal(1, await worker.WaitForExitAsync());
        Assert.Contains("Stopped with 1 requests cut", worker.Output, StringComparison.Ordinal);
        Assert.Contains("were cut", emulator.StatusReports[^1].ErrorMsg, StringComparison.Ordinal);
        Assert.Contains(emulator.DeleteReports.SelectMany(r => r.Requests), d => d.RequestIdx == 903 && d.Status == "Cancelled");
        await Assert.ThrowsAnyAsync<Exception>(() => hanging).DefaultTimeout();
    }

    private static Task<AutoscalerEmulator> StartEmulatorAsync() =>
        AutoscalerEmulator.StartAsync(new EmulatorOptions { Port = 0, PrivateKeyPem = TestAutoscalerKey.Shared.PrivateKeyPem }).DefaultTimeout();

    private static Dictionary<string, string> SecuredEnvironment(AutoscalerEmulator emulator, FakeBackend backend) => new()
    {
        ["REPORT_ADDR"] = emulator.BaseUrl.ToString(),
        ["CONTAINER_ID"] = "5",
        ["MASTER_TOKEN"] = "m",
        ["PUBLIC_IPADDR"] = "127.0.0.1",
        ["VAST_TCP_PORT_0"] = "41234",
        ["VESPA_WORKER_PORT"] = "0",
        ["VESPA_HOST"] = "127.0.0.1",
        ["VESPA_BACKEND_URL"] = backend.BaseUrl.ToString(),
        ["VESPA_BENCHMARK"] = "constant:1000",
        ["VESPA_BENCHMARK_CACHE_FILE"] = Path.Combine(Path.GetTempPath(), "vespa-test-" + Guid.NewGuid().ToString("N") + ".benchmark"),
        ["VESPA_HEALTHCHECK_RETRY_INTERVAL"] = "0.05",
        ["VESPA_METRICS_UPDATE_INTERVAL"] = "0.1",
        ["VESPA_DELETE_REQUESTS_INTERVAL"] = "0.1",
        ["VESPA_LOG_LEVEL"] = "Information",
    };
}
