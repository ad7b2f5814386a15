using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using Vespa.Deploy.Tests.Support;
using Vespa.Testing;

namespace Vespa.Deploy.Tests;

/// <summary>
/// The vast.ai start-up chain on one machine: start_server.sh provisions the certificate through the fake
/// sign_cert and execs the real vespa-worker (the apphost built next to these tests), which serves that
/// certificate over HTTPS, reports an https url, and exits cleanly on SIGTERM sent to the script's pid.
/// </summary>
public sealed partial class StartServerEndToEndTests : IAsyncLifetime, IDisposable
{
    private readonly TestCertificateAuthority _authority = new();
    private readonly TempDirectory _dir = new();
    private FakeSignCert _signCert = null!;
    private FakeAutoscaler _autoscaler = null!;
    private FakeBackend _backend = null!;

    public async Task InitializeAsync()
    {
        _signCert = await FakeSignCert.StartAsync(_authority);
        _autoscaler = await FakeAutoscaler.StartAsync();
        _backend = await FakeBackend.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _signCert.DisposeAsync();
        await _autoscaler.DisposeAsync();
        await _backend.DisposeAsync();
    }

    public void Dispose()
    {
        _authority.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task StartServer_RealWorker_ServesTheSignedCertificateOverHttps_AndStopsOnSigterm()
    {
        var certificateFile = _dir.File("instance.crt");
        var keyFile = _dir.File("instance.key");
        var environment = new Dictionary<string, string>
        {
            ["CONTAINER_ID"] = "4242",
            ["MASTER_TOKEN"] = "secret-token",
            ["REPORT_ADDR"] = _autoscaler.BaseUrl.ToString(),
            ["PUBLIC_IPADDR"] = "127.0.0.1",
            // Port 0 lets the worker pick a free port; vast.ai's variable is keyed by the configured port.
            ["VESPA_WORKER_PORT"] = "0",
            ["VAST_TCP_PORT_0"] = "40123",
            ["VESPA_HOST"] = "127.0.0.1",
            ["VESPA_BACKEND_URL"] = _backend.BaseUrl.ToString(),
            ["VESPA_BENCHMARK"] = "constant:1000",
            ["VESPA_BENCHMARK_CACHE_FILE"] = _dir.File("has_benchmark"),
            ["VESPA_LOG_LEVEL"] = "Information",
            ["VESPA_SIGN_CERT_URL"] = _signCert.Url.ToString(),
            ["VESPA_SIGN_CERT_RETRIES"] = "0",
            ["VESPA_WORKER_BIN"] = RepositoryPaths.WorkerExecutable,
            ["VESPA_ENV_FILE"] = _dir.File("environment"),
            ["VESPA_SSL_CERT_FILE"] = certificateFile,
            ["VESPA_SSL_KEY_FILE"] = keyFile,
        };

        await using var script = ScriptProcess.Start(RepositoryPaths.StartServerScript, _dir.Path, environment);
        var listening = await script.WaitForOutputAsync(ListeningPattern());
        var baseUrl = new Uri(listening.Groups["url"].Value);

        var seen = new ConcurrentQueue<X509Certificate2>();
        using var client = _authority.CreateClient(seen.Enqueue);
        using (var ping = await client.GetAsync(new Uri(baseUrl, "/ping")).DefaultTimeout())
        {
            Assert.Equal(HttpStatusCode.OK, ping.StatusCode);
        }

        using var installed = X509CertificateLoader.LoadCertificateFromFile(certificateFile);
        Assert.Equal(installed.Thumbprint, Assert.Single(seen).Thumbprint);
        Assert.Single(_signCert.Calls);

        // The worker took VESPA_USE_SSL=true from the script: its reports carry an https url.
        await TaskTimeoutExtensions.WaitUntilAsync(() => _autoscaler.StatusBodies.Count > 0, "a worker_status report");
        using (var status = _autoscaler.ParsedStatuses()[0])
        {
            Assert.Equal("https://127.0.0.1:40123", status.RootElement.GetProperty("url").GetString());
            Assert.Equal(4242, status.RootElement.GetProperty("id").GetInt64());
        }

        // exec: the script's pid is the worker's, so SIGTERM reaches it and it drains and exits 0.
        await script.TerminateAsync();
        var result = await script.WaitForExitAsync(TimeSpan.FromSeconds(40));
        Assert.True(result.ExitCode == 0, result.ToString());
    }

    [GeneratedRegex(@"listening on:? (?<url>https://127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningPattern();
}
