using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Vespa.Client.Requests;
using Vespa.Emulator;
using Vespa.Testing;
using Vespa.Worker.Hosting;
using Vespa.Worker.Options;

namespace Vespa.Client.Tests.Infrastructure;

/// <summary>
/// The real, secured vespa-worker on 127.0.0.1:0 in front of a backend, reporting to an emulator (whose signatures it
/// verifies), with a constant benchmark; registered with the emulator and answering signed requests once started.
/// </summary>
internal sealed class RealWorker : IAsyncDisposable
{
    private readonly WebApplication _app;

    private RealWorker(WebApplication app)
    {
        _app = app;
        BaseUrl = app.GetListenAddress();
    }

    public Uri BaseUrl { get; }

    public static async Task<RealWorker> StartAsync(Uri backend, AutoscalerEmulator emulator)
    {
        var options = WorkerOptionsLoader.Load(new Dictionary<string, string>
        {
            ["VESPA_BACKEND_URL"] = backend.ToString(),
            ["REPORT_ADDR"] = emulator.BaseUrl.OriginalString,
            ["CONTAINER_ID"] = "1",
            ["VESPA_WORKER_PORT"] = "0",
            ["VESPA_HOST"] = "127.0.0.1",
            ["VESPA_LOG_LEVEL"] = "Warning",
            ["VESPA_BENCHMARK"] = "constant:1000",
            ["VESPA_BENCHMARK_CACHE_FILE"] = Path.Combine(Cli.TempDirectory(), ".has_benchmark"),
            ["VESPA_HEALTHCHECK_RETRY_INTERVAL"] = "0.05",
            ["VESPA_METRICS_UPDATE_INTERVAL"] = "0.1",
            // The emulator signs the address the client then calls (127.0.0.1 with the port Kestrel picked), which
            // the worker cannot know as its public url before it listens; url binding is the worker tests' subject.
            ["VESPA_CHECK_URL"] = "false",
        });
        var app = await WorkerApplication.CreateAsync(options, builder => builder.Logging.ClearProviders()).DefaultTimeout();
        await app.StartAsync().DefaultTimeout();
        var worker = new RealWorker(app);
        // Ready (backend healthy, benchmark done) once it reports a load time; then it must also hold the public key:
        // a signed probe gets through instead of 401.
        await emulator.WaitForStatusReportAsync(r => r.LoadTime > 0).DefaultTimeout();
        emulator.RegisterWorker(worker.BaseUrl);
        using var http = new HttpClient { Timeout = TaskTimeoutExtensions.Timeout };
        var deadline = DateTime.UtcNow + TaskTimeoutExtensions.Timeout;
        while (true)
        {
            var auth = emulator.Route("local").AuthData!;
            var probe = WorkerRequestForms.WorkerUri(worker.BaseUrl.GetLeftPart(UriPartial.Authority), "/health", WorkerRequestForms.Query(null, auth));
            using var response = await http.GetAsync(probe).DefaultTimeout();
            if (response.IsSuccessStatusCode)
            {
                break;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the worker still answers signed requests with {(int)response.StatusCode}");
            }

            await Task.Delay(20);
        }

        return worker;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().DefaultTimeout();
        await _app.DisposeAsync();
    }
}
