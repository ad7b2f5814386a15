using System.Security.Cryptography.X509Certificates;
using Vespa.Client.Tests.Infrastructure;

namespace Vespa.Client.Tests.Http;

/// <summary>
/// Issue 11 item 10: the vast.ai root certificate is downloaded from the console on first use
/// (<c>/static/jvastai_root.cer</c>, as the SDK does), cached under the user's cache directory, and
/// <c>--vast-root-cert</c> still overrides. The console is a loopback server; the worker serves a certificate issued
/// by a vast.ai-shaped test root.
/// </summary>
public sealed class VastRootDownloadTests : IAsyncLifetime
{
    private const string RootPath = "/static/jvastai_root.cer";

    private RecordingControlPlane _plane = null!;
    private ScriptedWorker _worker = null!;

    public async Task InitializeAsync()
    {
        _worker = await ScriptedWorker.StartAsync(TestCertificates.Shared.Server);
        _plane = await RecordingControlPlane.StartAsync();
        _plane.Worker = _worker.BaseUrl;
        _plane.RootCertificate = TestCertificates.Shared.Root.Export(X509ContentType.Cert);
    }

    public async Task DisposeAsync()
    {
        await _plane.DisposeAsync();
        await _worker.DisposeAsync();
    }

    private int Downloads => _plane.Requests.Count(r => r.Path == RootPath);

    private string[] Call(params string[] extra) =>
        ["call", "GET", "/v1/models", "-e", "local", "--endpoint-key", "local-endpoint-key", "--autoscaler-url", _plane.Url, "--console-url", _plane.Url, "--max-retries", "0", .. extra];

    [Fact]
    public async Task FirstUse_Downloaded_CachedInXdgCacheHome_NextRunUsesTheCache()
    {
        var cacheHome = Cli.TempDirectory();
        var services = Cli.Services(Cli.Environment(("XDG_CACHE_HOME", cacheHome)));

        var first = await Cli.RunAsync(services, Call());
        _plane.RootCertificate = null;
        var second = await Cli.RunAsync(services, Call());

        Assert.Equal(ExitCodes.Success, first.Exit);
        Assert.Equal(ExitCodes.Success, second.Exit);
        Assert.Equal(2, _worker.Calls);
        Assert.Equal(1, Downloads);
        var download = _plane.Requests.Single(r => r.Path == RootPath);
        Assert.Equal("GET", download.Method);
        Assert.Equal("vespa-client/" + ClientVersion.Version, download.Headers["User-Agent"]);
        var cached = Path.Combine(cacheHome, "vespa", "jvastai_root.cer");
        Assert.Equal(TestCertificates.Shared.Root.ExportCertificatePem() + "\n", await File.ReadAllTextAsync(cached));
    }

    [Fact]
    public async Task DefaultCache_IsDotCacheVespaUnderHome()
    {
        var home = Cli.TempDirectory();

        var run = await Cli.RunAsync(Cli.Services(Cli.Environment(home)), Call());

        Assert.Equal(ExitCodes.Success, run.Exit);
        Assert.True(File.Exists(Path.Combine(home, ".cache", "vespa", "jvastai_root.cer")));
    }

    [Fact]
    public async Task VastRootCertFlag_Overrides_NothingDownloaded()
    {
        var run = await Cli.RunAsync(Call("--vast-root-cert", TestCertificates.Other.RootPemFile));

        Assert.Equal(ExitCodes.Transport, run.Exit);
        Assert.Equal(0, Downloads);
        Assert.Equal(0, _worker.Calls);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task UnreadableOrExpiredCachedRoot_DownloadedAgain(bool expired)
    {
        var home = Cli.TempDirectory();
        Directory.CreateDirectory(Path.Combine(home, ".cache", "vespa"));
        string cached;
        if (expired)
        {
            using var key = System.Security.Cryptography.RSA.Create(2048);
            var request = new CertificateRequest("CN=Expired Root", key, System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
            using var old = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddYears(-2), DateTimeOffset.UtcNow.AddYears(-1));
            cached = old.ExportCertificatePem();
        }
        else
        {
            cached = "not a certificate";
        }

        await File.WriteAllTextAsync(Path.Combine(home, ".cache", "vespa", "jvastai_root.cer"), cached);

        var run = await Cli.RunAsync(Cli.Services(Cli.Environment(home)), Call());

        Assert.Equal(ExitCodes.Success, run.Exit);
        Assert.Equal(1, Downloads);
        Assert.Equal(TestCertificates.Shared.Root.ExportCertificatePem() + "\n", await File.ReadAllTextAsync(Path.Combine(home, ".cache", "vespa", "jvastai_root.cer")));
    }

    [Fact]
    public async Task DownloadRefused_Warns_SystemStoreOnly_Exit5()
    {
        _plane.RootCertificate = null;

        var run = await Cli.RunAsync(Call());

        Assert.Equal(ExitCodes.Transport, run.Exit);
        Assert.StartsWith(
            $"vespa-client: warning: could not download the vast.ai root certificate from {_plane.Url}/static/jvastai_root.cer: the console answered 404; "
            + "https workers are checked against the system trust store only (--vast-root-cert FILE sets the root).\n",
            run.Error,
            StringComparison.Ordinal);
        Assert.Equal(0, _worker.Calls);
    }

    [Fact]
    public async Task NotACaCertificate_Refused()
    {
        _plane.RootCertificate = TestCertificates.Shared.Server.Export(X509ContentType.Cert);

        var run = await Cli.RunAsync(Call());

        Assert.Equal(ExitCodes.Transport, run.Exit);
        Assert.Contains($"could not use the vast.ai root certificate from {_plane.Url}/static/jvastai_root.cer: it is not a CA certificate;", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HttpWorker_NothingDownloaded()
    {
        await using var plain = await ScriptedWorker.StartAsync();
        _plane.Worker = plain.BaseUrl;

        var run = await Cli.RunAsync(Call());

        Assert.Equal(ExitCodes.Success, run.Exit);
        Assert.Equal(0, Downloads);
    }

    [Fact]
    public async Task ConsoleCommands_NeverDownload_AndTakeNoRootOption()
    {
        var run = await Cli.RunAsync("endpoints", "--console-url", _plane.Url, "--account-key", "local-account-key");
        var withRoot = await Cli.RunAsync("endpoints", "--console-url", _plane.Url, "--account-key", "local-account-key", "--vast-root-cert", TestCertificates.Shared.RootPemFile);

        Assert.Equal(ExitCodes.Success, run.Exit);
        Assert.Equal(0, Downloads);
        Assert.Equal(ExitCodes.Usage, withRoot.Exit);
    }
}
