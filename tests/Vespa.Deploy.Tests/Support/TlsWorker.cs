using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Vespa.Testing;
using Vespa.Worker.Hosting;
using Vespa.Worker.Options;

namespace Vespa.Deploy.Tests.Support;

/// <summary>
/// The real worker on Kestrel at 127.0.0.1:0 with <c>VESPA_USE_SSL=true</c>, configured through the production
/// options loader (after tests/Vespa.Worker.Tests/Infrastructure/TestWorker.cs, trimmed to what TLS needs).
/// </summary>
internal sealed class TlsWorker : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TlsWorker(WebApplication app, WorkerOptions options)
    {
        _app = app;
        Options = options;
        BaseUrl = app.GetListenAddress();
    }

    /// <summary>The listen address; the scheme is https.</summary>
    public Uri BaseUrl { get; }

    public WorkerOptions Options { get; }

    public static WorkerOptions LoadOptions(Uri backend, string certificateFile, string keyFile) =>
        WorkerOptionsLoader.Load(new Dictionary<string, string>
        {
            ["VESPA_WORKER_PORT"] = "0",
            ["VESPA_HOST"] = "127.0.0.1",
            ["VESPA_LOG_LEVEL"] = "Warning",
            ["VESPA_BACKEND_URL"] = backend.ToString(),
            ["VESPA_BENCHMARK"] = "constant:1000",
            ["VESPA_BENCHMARK_CACHE_FILE"] = Path.Combine(Path.GetTempPath(), "vespa-deploy-" + Guid.NewGuid().ToString("N") + ".benchmark"),
            ["VESPA_USE_SSL"] = "true",
            ["VESPA_SSL_CERT_FILE"] = certificateFile,
            ["VESPA_SSL_KEY_FILE"] = keyFile,
        });

    public static async Task<TlsWorker> StartAsync(Uri backend, string certificateFile, string keyFile)
    {
        var options = LoadOptions(backend, certificateFile, keyFile);
        var app = await WorkerApplication.CreateAsync(options, builder => builder.Logging.ClearProviders()).DefaultTimeout();
        await app.StartAsync().DefaultTimeout();
        return new TlsWorker(app, options);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().DefaultTimeout();
        await _app.DisposeAsync();
    }
}
