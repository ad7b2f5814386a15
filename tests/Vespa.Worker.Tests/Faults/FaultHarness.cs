using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Vespa.Core.Envelopes;
using Vespa.Emulator;
using Vespa.Testing;
using Vespa.Worker.Admission;
using Vespa.Worker.Envelopes;
using Vespa.Worker.Tests.Infrastructure;

namespace Vespa.Worker.Tests.Faults;

/// <summary>
/// A secured worker on Kestrel 127.0.0.1:0 in front of a given backend, reporting to the autoscaler emulator, which
/// a test can stop (connection refused) and start again on the same port. Keeps every emulator's reports, so the
/// figures the worker sent can be summed over an outage.
/// </summary>
internal sealed class FaultHarness : IAsyncDisposable
{
    public const string PublicPort = "41234";

    /// <summary>The url the worker reports and accepts signatures for (<c>PUBLIC_IPADDR</c>, <c>VAST_TCP_PORT_0</c>).</summary>
    public static readonly Uri PublicUrl = new("http://127.0.0.1:" + PublicPort);

    private readonly List<AutoscalerEmulator> _retired = [];
    private readonly int _emulatorPort;
    private long _nextIdx = 1000;

    private FaultHarness(AutoscalerEmulator emulator, TestWorker worker, CapturedLogs logs, int? maxConcurrency)
    {
        Emulator = emulator;
        Worker = worker;
        Logs = logs;
        MaxConcurrency = maxConcurrency;
        _emulatorPort = emulator.BaseUrl.Port;
    }

    /// <summary>The emulator now serving (null while stopped).</summary>
    public AutoscalerEmulator? Emulator { get; private set; }

    public TestWorker Worker { get; }

    public CapturedLogs Logs { get; }

    public int? MaxConcurrency { get; }

    public LoadTracker Load => Worker.Load;

    public AdmissionController Admission => Worker.Services.GetRequiredService<AdmissionController>();

    public UnverifiedBodyBudget Budget => Worker.Services.GetRequiredService<UnverifiedBodyBudget>();

    /// <summary>Status reports every emulator of this harness accepted, in order.</summary>
    public IReadOnlyList<WorkerStatusReport> StatusReports => [.. _retired.SelectMany(e => e.StatusReports), .. Emulator?.StatusReports ?? []];

    /// <summary>Finished-request records every emulator of this harness accepted.</summary>
    public IReadOnlyList<DeletedRequest> Deleted =>
        [.. _retired.SelectMany(e => e.DeleteReports).Concat(Emulator?.DeleteReports ?? []).SelectMany(r => r.Requests)];

    public static Task<FaultHarness> StartAsync(Uri backend, int? maxConcurrency = null, Action<WebApplicationBuilder>? configure = null, params (string Name, string Value)[] settings) =>
        StartAsync(backend, maxConcurrency, configure, prepareEmulator: null, settings);

    /// <summary>As the other overload; <paramref name="prepareEmulator"/> runs before the worker starts (faults at start).</summary>
    public static async Task<FaultHarness> StartAsync(Uri backend, int? maxConcurrency, Action<WebApplicationBuilder>? configure, Action<AutoscalerEmulator>? prepareEmulator, params (string Name, string Value)[] settings)
    {
        var emulator = await StartEmulatorAsync(0);
        prepareEmulator?.Invoke(emulator);
        var logs = new CapturedLogs();
        (string, string)[] defaults =
        [
            ("CONTAINER_ID", "42"),
            ("MASTER_TOKEN", "mtoken-faults"),
            ("PUBLIC_IPADDR", "127.0.0.1"),
            ("VAST_TCP_PORT_0", PublicPort),
            ("VESPA_METRICS_UPDATE_INTERVAL", "0.1"),
            ("VESPA_DELETE_REQUESTS_INTERVAL", "0.1"),
            ("VESPA_METRICS_RETRY_DELAY", "0.05"),
            ("VESPA_METRICS_TIMEOUT", "2"),
            // Generous for a loaded 2-core machine; the hanging-backend tests set their own.
            ("VESPA_IDLE_TIMEOUT", "30"),
            ("VESPA_MAX_WAIT_TIME", "1000"),
        ];
        if (maxConcurrency is { } slots)
        {
            defaults = [.. defaults, ("VESPA_MAX_CONCURRENCY", slots.ToString(CultureInfo.InvariantCulture))];
        }

        Action<WebApplicationBuilder> attach = builder =>
        {
            logs.Attach(builder);
            configure?.Invoke(builder);
        };
        var worker = await TestWorker.StartAsync(attach, backend, emulator.BaseUrl, waitForKey: true, waitForReady: true, time: null, [.. defaults, .. settings]);
        emulator.RegisterWorker(PublicUrl);
        return new FaultHarness(emulator, worker, logs, maxConcurrency);
    }

    /// <summary>Signed auth data with a fresh request_idx (the emulator's key, this worker's url).</summary>
    public AuthData Sign(double cost = 1) =>
        TestAutoscalerKey.Shared.Sign(PublicUrl.ToString(), costToken: cost.ToString("R", CultureInfo.InvariantCulture), requestIdx: Interlocked.Increment(ref _nextIdx), reqnum: _nextIdx);

    /// <summary>A POST envelope around <c>{}</c> for <paramref name="auth"/>.</summary>
    public static StringContent Envelope(AuthData auth, string payload = "{}") =>
        new(TestAutoscalerKey.Envelope(auth, payload), Encoding.UTF8, "application/json");

    public static HttpRequestMessage Post(string path, AuthData auth, string payload = "{}") =>
        new(HttpMethod.Post, path) { Content = Envelope(auth, payload) };

    /// <summary>Stops the emulator: the worker's posts and key fetches now get "connection refused".</summary>
    public async Task StopEmulatorAsync()
    {
        var emulator = Emulator ?? throw new InvalidOperationException("already stopped");
        Emulator = null;
        await emulator.DisposeAsync();
        _retired.Add(emulator);
    }

    /// <summary>Starts an emulator on the same port again (same key), with this worker registered.</summary>
    public async Task RestartEmulatorAsync()
    {
        if (Emulator is not null)
        {
            throw new InvalidOperationException("still running");
        }

        Emulator = await StartEmulatorAsync(_emulatorPort);
        Emulator.RegisterWorker(PublicUrl);
    }

    private static Task<AutoscalerEmulator> StartEmulatorAsync(int port) =>
        AutoscalerEmulator.StartAsync(new EmulatorOptions
        {
            Port = port,
            PrivateKeyPem = TestAutoscalerKey.Shared.PrivateKeyPem,
            // A worker must not go stale because the shared machine stalled.
            MinimumStaleAfter = TimeSpan.FromSeconds(60),
        }).DefaultTimeout();

    public async ValueTask DisposeAsync()
    {
        await Worker.DisposeAsync();
        if (Emulator is not null)
        {
            await Emulator.DisposeAsync();
        }
    }
}
