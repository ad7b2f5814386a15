using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Vespa.Client.Http;
using Vespa.Client.Tests.Infrastructure;
using Vespa.Emulator;
using Vespa.Testing;

namespace Vespa.Client.Tests.Http;

/// <summary>
/// TLS to a worker whose certificate comes from a vast.ai-shaped root (CA without keyCertSign): trusted with the root
/// file, refused without it, refused for a name the certificate does not carry, explained with --tls-debug.
/// </summary>
public sealed class TlsTests : IAsyncLifetime
{
    private AutoscalerEmulator _emulator = null!;
    private ScriptedWorker _worker = null!;

    public async Task InitializeAsync()
    {
        _worker = await ScriptedWorker.StartAsync(TestCertificates.Shared.Server);
        _emulator = await EmulatorTestKit.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _emulator.DisposeAsync();
        await _worker.DisposeAsync();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task WithTheRootFile_PemOrDer_Accepted(bool pem)
    {
        Assert.Equal("https", _worker.BaseUrl.Scheme);
        _emulator.RegisterWorker(_worker.BaseUrl);
        var root = pem ? TestCertificates.Shared.RootPemFile : TestCertificates.Shared.RootDerFile;

        var run = await Cli.RunAsync(Cli.Against(_emulator, "call", "POST", "/v1/x", "--data", "{}", "--vast-root-cert", root));

        Assert.Equal(ExitCodes.Success, run.Exit);
        Assert.Equal(1, _worker.Calls);
    }

    [Fact]
    public async Task RootFileFromTheEnvironment_Accepted()
    {
        _emulator.RegisterWorker(_worker.BaseUrl);
        var services = Cli.Services(Cli.Environment(("VESPA_VAST_ROOT_CERT", TestCertificates.Shared.RootPemFile)));

        var run = await Cli.RunAsync(services, Cli.Against(_emulator, "call", "GET", "/v1/models"));

        Assert.Equal(ExitCodes.Success, run.Exit);
    }

    [Fact]
    public async Task WithoutTheRoot_Rejected_TransportExit5_DebugExplains()
    {
        _emulator.RegisterWorker(_worker.BaseUrl);

        var run = await Cli.RunAsync(Cli.Against(_emulator, "call", "GET", "/v1/models", "--max-retries", "0", "--tls-debug"));

        Assert.Equal(ExitCodes.Transport, run.Exit);
        Assert.Equal(0, _worker.Calls);
        Assert.Contains("--vast-root-cert", run.Error, StringComparison.Ordinal);
        Assert.Contains("tls: rejected 127.0.0.1: the chain is not trusted by the system store", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithAnotherRoot_Rejected()
    {
        _emulator.RegisterWorker(_worker.BaseUrl);

        var run = await Cli.RunAsync(Cli.Against(_emulator, "call", "GET", "/v1/models", "--max-retries", "0", "--tls-debug", "--vast-root-cert", TestCertificates.Other.RootPemFile));

        Assert.Equal(ExitCodes.Transport, run.Exit);
        Assert.Contains("nor by the vast.ai root", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HostNameMismatch_RejectedEvenWithTheRoot()
    {
        // The certificate names IP 127.0.0.1 only; "localhost" reaches the same server under another name.
        _emulator.RegisterWorker(new Uri($"https://localhost:{_worker.BaseUrl.Port}"));

        var run = await Cli.RunAsync(Cli.Against(_emulator, "call", "GET", "/v1/models", "--max-retries", "0", "--tls-debug", "--vast-root-cert", TestCertificates.Shared.RootPemFile));

        Assert.Equal(ExitCodes.Transport, run.Exit);
        Assert.Equal(0, _worker.Calls);
        Assert.Contains("does not name localhost", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NotACertificate_UsageExit2()
    {
        var file = Path.Combine(Cli.TempDirectory(), "bad.cer");
        await File.WriteAllTextAsync(file, "not a certificate");

        var run = await Cli.RunAsync(Cli.Against(_emulator, "call", "GET", "/v1/models", "--vast-root-cert", file));

        Assert.Equal(ExitCodes.Usage, run.Exit);
        Assert.Contains("cannot load the vast.ai root certificate", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingRootFile_UsageExit2()
    {
        var services = Cli.Services(Cli.Environment(("VESPA_VAST_ROOT_CERT", "/nonexistent/jvastai_root.cer")));

        var run = await Cli.RunAsync(services, Cli.Against(_emulator, "call", "GET", "/v1/models"));

        Assert.Equal(ExitCodes.Usage, run.Exit);
        Assert.Contains("jvastai_root.cer", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void ToleratedDefect_OnlyForACaWithoutKeyCertSign()
    {
        Assert.True(VastCertificateValidator.IsCaLackingOnlyKeyCertSign(TestCertificates.Shared.Root));
        Assert.False(VastCertificateValidator.IsCaLackingOnlyKeyCertSign(TestCertificates.Shared.Server));

        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=Proper CA", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var proper = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        Assert.False(VastCertificateValidator.IsCaLackingOnlyKeyCertSign(proper));
    }

    [Fact]
    public void ChainToTheRoot_AcceptedDespiteItsKeyUsage_OtherRootNot()
    {
        var shared = TestCertificates.Shared;
        var validator = new VastCertificateValidator(shared.Root, debug: null);
        var other = new VastCertificateValidator(TestCertificates.Other.Root, debug: null);

        Assert.True(validator.IsTrustedByVastRoot(shared.Server, presented: null, out var reason), reason);
        Assert.False(other.IsTrustedByVastRoot(shared.Server, presented: null, out _));
    }
}
