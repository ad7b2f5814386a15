using System.Text;
using Microsoft.AspNetCore.Builder;
using Vespa.Core.Envelopes;
using Vespa.Emulator;
using Vespa.Testing;

namespace Vespa.Worker.Tests.Infrastructure;

/// <summary>
/// The whole secured flow on loopback: a fake backend, the autoscaler emulator (key, routing,
/// report sink) and a secured worker reporting to it.
/// </summary>
internal sealed class ReportingHarness : IAsyncDisposable
{
    public const long ContainerId = 42;
    public const string MasterToken = "mtoken-test";
    public const string PublicPort = "41234";

    /// <summary>The worker's public url (<c>PUBLIC_IPADDR</c>, <c>VAST_TCP_PORT_0</c>), which it reports and accepts signatures for.</summary>
    public static readonly Uri PublicUrl = new("http://127.0.0.1:" + PublicPort);

    private ReportingHarness(FakeBackend backend, AutoscalerEmulator emulator, TestWorker worker)
    {
        Backend = backend;
        Emulator = emulator;
        Worker = worker;
    }

    public FakeBackend Backend { get; }

    public AutoscalerEmulator Emulator { get; }

    public TestWorker Worker { get; }

    public static Task<ReportingHarness> StartAsync(TimeProvider? time = null, bool waitForReady = true, Action<FakeBackend>? prepare = null, params (string Name, string Value)[] settings) =>
        StartAsync(configure: null, time, waitForReady, waitForKey: true, prepare, settings);

    /// <summary>As the other overload, with <paramref name="configure"/> applied to the worker's builder (fault injection, log capture).</summary>
    public static async Task<ReportingHarness> StartAsync(Action<WebApplicationBuilder>? configure, TimeProvider? time, bool waitForReady, bool waitForKey, Action<FakeBackend>? prepare, params (string Name, string Value)[] settings)
    {
        var backend = await FakeBackend.StartAsync();
        prepare?.Invoke(backend);
        var emulator = await AutoscalerEmulator.StartAsync(new EmulatorOptions { Port = 0, PrivateKeyPem = TestAutoscalerKey.Shared.PrivateKeyPem }).DefaultTimeout();
        (string, string)[] defaults =
        [
            ("CONTAINER_ID", ContainerId.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("MASTER_TOKEN", MasterToken),
            ("PUBLIC_IPADDR", "127.0.0.1"),
            ("VAST_TCP_PORT_0", PublicPort),
            ("VESPA_METRICS_UPDATE_INTERVAL", "0.1"),
            ("VESPA_DELETE_REQUESTS_INTERVAL", "0.1"),
            ("VESPA_METRICS_RETRY_DELAY", "0.05"),
            ("VESPA_METRICS_TIMEOUT", "2"),
        ];
        var worker = await TestWorker.StartAsync(configure, backend.BaseUrl, emulator.BaseUrl, waitForKey, waitForReady, time, [.. defaults, .. settings]);
        // The emulator signs the url it routes to: the worker's public url (tests call the worker at BaseUrl).
        emulator.RegisterWorker(PublicUrl);
        return new ReportingHarness(backend, emulator, worker);
    }

    /// <summary>Auth data signed by the emulator, as <c>/route/</c> hands it to a client.</summary>
    public AuthData Route(double cost, long requestIdx = 0)
    {
        var route = Emulator.Route(EmulatedEndpoint.Default.Name, cost, requestIdx);
        return route.AuthData ?? throw new InvalidOperationException("the emulator has no worker to route to: " + route.Status);
    }

    public Task<HttpResponseMessage> PostAsync(string path, AuthData auth, string payload = "{}", CancellationToken cancellationToken = default) =>
        Worker.Client.PostAsync(path, new StringContent(TestAutoscalerKey.Envelope(auth, payload), Encoding.UTF8, "application/json"), cancellationToken);

    public double Sum(Func<WorkerStatusReport, double> field) => Emulator.StatusReports.Sum(field);

    public async ValueTask DisposeAsync()
    {
        await Worker.DisposeAsync();
        await Emulator.DisposeAsync();
        await Backend.DisposeAsync();
    }
}
