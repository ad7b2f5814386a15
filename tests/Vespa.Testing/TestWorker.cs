using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Vespa.Worker.Admission;
using Vespa.Worker.Hosting;
using Vespa.Worker.Lifecycle;
using Vespa.Worker.Options;
using Vespa.Worker.Security;

namespace Vespa.Testing;

/// <summary>The real worker on Kestrel at 127.0.0.1:0, configured through the same loader as production.</summary>
public sealed class TestWorker : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestWorker(WebApplication app, WorkerOptions options)
    {
        _app = app;
        Options = options;
        BaseUrl = app.GetListenAddress();
        Client = new HttpClient(new SocketsHttpHandler { UseProxy = false, AutomaticDecompression = DecompressionMethods.None })
        {
            BaseAddress = BaseUrl,
            Timeout = TaskTimeoutExtensions.Timeout,
        };
    }

    public Uri BaseUrl { get; }

    public HttpClient Client { get; }

    public WorkerOptions Options { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>The plain-HTTP <c>POST /session/end</c> listener (<c>VESPA_WORKER_HTTP_PORT</c>); null when there is none.</summary>
    public Uri? SessionEndUrl => _app.GetSessionEndAddress();

    /// <summary>Starts a worker; with <paramref name="reportAddress"/> it is secured, otherwise unsecured local mode.</summary>
    public static Task<TestWorker> StartAsync(Uri? backend, Uri? reportAddress = null, params (string Name, string Value)[] settings) =>
        StartAsync(backend, reportAddress, waitForKey: true, settings);

    public static Task<TestWorker> StartAsync(Uri? backend, Uri? reportAddress, bool waitForKey, params (string Name, string Value)[] settings) =>
        StartAsync(backend, reportAddress, waitForKey, waitForReady: true, settings);

    public static Task<TestWorker> StartAsync(Uri? backend, Uri? reportAddress, bool waitForKey, bool waitForReady, params (string Name, string Value)[] settings) =>
        StartAsync(backend, reportAddress, waitForKey, waitForReady, time: null, settings);

    public static Task<TestWorker> StartAsync(Uri? backend, Uri? reportAddress, bool waitForKey, bool waitForReady, TimeProvider? time, params (string Name, string Value)[] settings) =>
        StartAsync(configure: null, backend, reportAddress, waitForKey, waitForReady, time, settings);

    /// <summary>Starts a worker with <paramref name="configure"/> applied to its builder (fault injection, log capture).</summary>
    public static async Task<TestWorker> StartAsync(Action<WebApplicationBuilder>? configure, Uri? backend, Uri? reportAddress, bool waitForKey, bool waitForReady, TimeProvider? time, params (string Name, string Value)[] settings)
    {
        var options = LoadOptions(backend, reportAddress, settings);
        var app = await WorkerApplication.CreateAsync(options, builder =>
        {
            builder.Logging.ClearProviders();
            if (time is not null)
            {
                builder.Services.AddSingleton(time);
            }

            configure?.Invoke(builder);
        }).DefaultTimeout();
        await app.StartAsync().DefaultTimeout();
        var worker = new TestWorker(app, options);
        if (waitForKey && reportAddress is not null && !options.Unsecured)
        {
            await worker.WaitForPublicKeyAsync();
        }

        if (waitForReady)
        {
            await worker.WaitForReadyAsync();
        }

        return worker;
    }

    /// <summary>The options <c>StartAsync</c> starts with, for tests of start-up failures that call
    /// <see cref="WorkerApplication.CreateAsync"/> themselves.</summary>
    public static WorkerOptions LoadOptions(Uri? backend, Uri? reportAddress = null, params (string Name, string Value)[] settings)
    {
        var environment = new Dictionary<string, string>
        {
            ["VESPA_WORKER_PORT"] = "0",
            ["VESPA_LOG_LEVEL"] = "Warning",
            ["VESPA_HOST"] = "127.0.0.1",
            // A fixed throughput: no benchmark traffic in tests that are not about benchmarks.
            ["VESPA_BENCHMARK"] = "constant:1000",
            ["VESPA_BENCHMARK_CACHE_FILE"] = Path.Combine(Path.GetTempPath(), "vespa-test-" + Guid.NewGuid().ToString("N") + ".benchmark"),
            ["VESPA_HEALTHCHECK_RETRY_INTERVAL"] = "0.05",
        };
        if (backend is not null)
        {
            environment["VESPA_BACKEND_URL"] = backend.ToString();
        }

        if (reportAddress is not null)
        {
            environment["REPORT_ADDR"] = reportAddress.ToString();
            environment["CONTAINER_ID"] = "1";
            // The public address the tests sign for (TestPublicUrl.SignedUrl): a secured worker accepts only its own url.
            environment["PUBLIC_IPADDR"] = TestPublicUrl.PublicIp;
            environment["VAST_TCP_PORT_0"] = TestPublicUrl.PublicPort;
        }

        foreach (var (name, value) in settings)
        {
            environment[name] = value;
        }

        return WorkerOptionsLoader.Load(environment);
    }

    public Task WaitForPublicKeyAsync()
    {
        var store = _app.Services.GetRequiredService<PublicKeyStore>();
        return TaskTimeoutExtensions.WaitUntilAsync(() => store.Verifier is not null, "the public key to load");
    }

    /// <summary>What SIGTERM does: stop accepting, let in-flight requests finish (up to the drain timeout), stop.</summary>
    public Task StopAsync() => _app.StopAsync();

    public Task WaitForReadyAsync()
    {
        var state = _app.Services.GetRequiredService<WorkerState>();
        return TaskTimeoutExtensions.WaitUntilAsync(() => state.IsReady, "the worker to become ready");
    }

    internal WorkerState State => _app.Services.GetRequiredService<WorkerState>();

    internal LoadTracker Load => _app.Services.GetRequiredService<LoadTracker>();

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync().DefaultTimeout();
        await _app.DisposeAsync();
    }
}
