using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Vespa.Deploy.Tests.Support;
using Vespa.Testing;
using Vespa.Worker.Hosting;
using Vespa.Worker.Options;

namespace Vespa.Deploy.Tests;

/// <summary>
/// VESPA_USE_SSL=true: the real worker serves the PEM certificate and key over HTTPS, picks up replaced files
/// on the next connection without a restart, and refuses to start, naming the file, when they are unusable.
/// </summary>
public sealed class WorkerTlsTests : IAsyncLifetime, IDisposable
{
    private readonly TestCertificateAuthority _authority = new();
    private readonly TempDirectory _dir = new();
    private FakeBackend _backend = null!;

    private string CertificateFile => _dir.File("instance.crt");

    private string KeyFile => _dir.File("instance.key");

    public async Task InitializeAsync() => _backend = await FakeBackend.StartAsync();

    public async Task DisposeAsync() => await _backend.DisposeAsync();

    public void Dispose()
    {
        _authority.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task Https_ServesTheCertificateFromTheFiles_OverHttp1AndHttp2()
    {
        using var leaf = _authority.IssueLeaf(IPAddress.Loopback);
        TestCertificateAuthority.WritePem(leaf, CertificateFile, KeyFile);
        await using var worker = await StartTlsWorkerAsync();
        var seen = new ConcurrentQueue<X509Certificate2>();
        using var client = _authority.CreateClient(seen.Enqueue);

        Assert.Equal("https", worker.BaseUrl.Scheme);
        using var ping = await client.GetAsync(new Uri(worker.BaseUrl, "/ping"));
        Assert.Equal(HttpStatusCode.OK, ping.StatusCode);
        Assert.Equal(leaf.Thumbprint, Assert.Single(seen).Thumbprint);

        // ALPN still offers h2 with the per-connection TLS callback.
        using var h2 = new HttpRequestMessage(HttpMethod.Get, new Uri(worker.BaseUrl, "/ping"))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        using var h2Response = await client.SendAsync(h2);
        Assert.Equal(HttpStatusCode.OK, h2Response.StatusCode);
        Assert.Equal(HttpVersion.Version20, h2Response.Version);
    }

    [Fact]
    public async Task Https_UntrustedOrPlainHttpClient_IsRefused()
    {
        using var leaf = _authority.IssueLeaf(IPAddress.Loopback);
        TestCertificateAuthority.WritePem(leaf, CertificateFile, KeyFile);
        await using var worker = await StartTlsWorkerAsync();

        // Another CA's client does not accept the worker's certificate.
        using var stranger = new TestCertificateAuthority("Someone Else");
        using var strangerClient = stranger.CreateClient();
        await Assert.ThrowsAsync<HttpRequestException>(() => strangerClient.GetAsync(new Uri(worker.BaseUrl, "/ping")));

        // Plain HTTP on the TLS port gets no HTTP answer.
        using var plain = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
        var http = new UriBuilder(worker.BaseUrl) { Scheme = "http" }.Uri;
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => plain.GetAsync(new Uri(http, "/ping")));
    }

    [Fact]
    public async Task Https_ReplacedFiles_AreServedOnTheNextConnection_WithoutRestart()
    {
        using var first = _authority.IssueLeaf(IPAddress.Loopback, "first");
        TestCertificateAuthority.WritePem(first, CertificateFile, KeyFile);
        await using var worker = await StartTlsWorkerAsync();
        var seen = new ConcurrentQueue<X509Certificate2>();
        using var client = _authority.CreateClient(seen.Enqueue);
        await PingAsync(client, worker);
        Assert.Equal(first.Thumbprint, seen.Last().Thumbprint);

        using var second = _authority.IssueLeaf(IPAddress.Loopback, "second-certificate");
        TestCertificateAuthority.WritePem(second, CertificateFile, KeyFile);

        await PingAsync(client, worker);
        Assert.Equal(second.Thumbprint, seen.Last().Thumbprint);
    }

    [Fact]
    public async Task Https_ReplacementThatDoesNotLoad_KeepsThePreviousCertificate_UntilAGoodPairArrives()
    {
        using var first = _authority.IssueLeaf(IPAddress.Loopback, "first");
        TestCertificateAuthority.WritePem(first, CertificateFile, KeyFile);
        await using var worker = await StartTlsWorkerAsync();
        var seen = new ConcurrentQueue<X509Certificate2>();
        using var client = _authority.CreateClient(seen.Enqueue);

        // Half a replacement: a new certificate whose key has not been written yet.
        using var second = _authority.IssueLeaf(IPAddress.Loopback, "second-certificate");
        File.WriteAllText(CertificateFile, second.ExportCertificatePem());
        await PingAsync(client, worker);
        Assert.Equal(first.Thumbprint, seen.Last().Thumbprint);

        // Not a certificate at all (an error page saved as the certificate).
        File.WriteAllText(CertificateFile, "<html>502 Bad Gateway</html>\n");
        await PingAsync(client, worker);
        Assert.Equal(first.Thumbprint, seen.Last().Thumbprint);

        // The complete pair.
        TestCertificateAuthority.WritePem(second, CertificateFile, KeyFile);
        await PingAsync(client, worker);
        Assert.Equal(second.Thumbprint, seen.Last().Thumbprint);
    }

    [Fact]
    public async Task MissingCertificateFile_RefusesToStart_NamingTheFile()
    {
        using var leaf = _authority.IssueLeaf(IPAddress.Loopback);
        TestCertificateAuthority.WritePem(leaf, CertificateFile, KeyFile);
        var missing = _dir.File("nowhere.crt");
        var options = LoadTlsOptions(missing, KeyFile);

        var ex = await Assert.ThrowsAsync<WorkerOptionsException>(() => WorkerApplication.CreateAsync(options));

        Assert.Contains(missing, ex.Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", ex.Message, StringComparison.Ordinal);
        Assert.Contains("VESPA_SSL_CERT_FILE", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingKeyFile_RefusesToStart_NamingTheFile()
    {
        using var leaf = _authority.IssueLeaf(IPAddress.Loopback);
        TestCertificateAuthority.WritePem(leaf, CertificateFile, KeyFile);
        var missing = _dir.File("nowhere.key");
        var options = LoadTlsOptions(CertificateFile, missing);

        var ex = await Assert.ThrowsAsync<WorkerOptionsException>(() => WorkerApplication.CreateAsync(options));

        Assert.Contains(missing, ex.Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not a certificate")]
    [InlineData("other key")]
    public async Task UnusableCertificate_RefusesToStart_NamingTheFile(string problem)
    {
        using var leaf = _authority.IssueLeaf(IPAddress.Loopback);
        TestCertificateAuthority.WritePem(leaf, CertificateFile, KeyFile);
        if (problem == "not a certificate")
        {
            File.WriteAllText(CertificateFile, "{\"error\": \"instance not found\"}\n");
        }
        else
        {
            using var other = _authority.IssueLeaf(IPAddress.Loopback, "other");
            TestCertificateAuthority.WritePem(other, _dir.File("other.crt"), KeyFile);
        }

        var options = LoadTlsOptions(CertificateFile, KeyFile);

        var ex = await Assert.ThrowsAsync<WorkerOptionsException>(() => WorkerApplication.CreateAsync(options));

        Assert.Contains(CertificateFile, ex.Message, StringComparison.Ordinal);
        Assert.Contains("could not be loaded", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Https_SessionEndIsAlsoServedOnThePlainHttpPort()
    {
        // The official worker's WORKER_HTTP_PORT: /session/end without TLS, next to the TLS port.
        using var leaf = _authority.IssueLeaf(IPAddress.Loopback);
        TestCertificateAuthority.WritePem(leaf, CertificateFile, KeyFile);
        await using var worker = await TestWorker.StartAsync(_backend.BaseUrl, null, waitForKey: false, waitForReady: false, [.. TlsSettings(CertificateFile, KeyFile), ("VESPA_WORKER_HTTP_PORT", "0")]);
        using var plain = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TaskTimeoutExtensions.Timeout };
        var sessionEnd = worker.SessionEndUrl ?? throw new InvalidOperationException("no plain-HTTP listener");

        using var body = new StringContent("""{"session_id": "nosuchsession", "session_auth": {}}""", System.Text.Encoding.UTF8, "application/json");
        using var response = await plain.PostAsync(new Uri(sessionEnd, "/session/end"), body).DefaultTimeout();

        Assert.Equal("https", worker.BaseUrl.Scheme);
        Assert.Equal("http", sessionEnd.Scheme);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("session with id nosuchsession not found", await response.Content.ReadAsStringAsync().DefaultTimeout(), StringComparison.Ordinal);
    }

    [Fact]
    public void ReportedUrl_IsHttps_WhenTlsIsOn()
    {
        var options = WorkerOptionsLoader.Load(new Dictionary<string, string>
        {
            ["VESPA_USE_SSL"] = "true",
            ["CONTAINER_ID"] = "7",
            ["REPORT_ADDR"] = "http://127.0.0.1:9",
            ["PUBLIC_IPADDR"] = "203.0.113.7",
            ["VAST_TCP_PORT_3000"] = "40123",
        });

        Assert.Equal("https://203.0.113.7:40123", options.PublicUrl);
    }

    private static (string Name, string Value)[] TlsSettings(string certificateFile, string keyFile) =>
        [("VESPA_USE_SSL", "true"), ("VESPA_SSL_CERT_FILE", certificateFile), ("VESPA_SSL_KEY_FILE", keyFile)];

    private WorkerOptions LoadTlsOptions(string certificateFile, string keyFile) =>
        TestWorker.LoadOptions(_backend.BaseUrl, null, TlsSettings(certificateFile, keyFile));

    /// <summary>The real worker with VESPA_USE_SSL=true, started without waiting for readiness (TLS is up once it listens).</summary>
    private Task<TestWorker> StartTlsWorkerAsync() =>
        TestWorker.StartAsync(_backend.BaseUrl, null, waitForKey: false, waitForReady: false, TlsSettings(CertificateFile, KeyFile));

    private static async Task PingAsync(HttpClient client, TestWorker worker)
    {
        using var response = await client.GetAsync(new Uri(worker.BaseUrl, "/ping")).DefaultTimeout();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
