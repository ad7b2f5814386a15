using System.Net;
using Vespa.Core.Signatures;
using Vespa.Testing;
using static Vespa.Testing.EmulatorTestKit;

namespace Vespa.Emulator.Tests;

/// <summary>Options checked at start; keys generated or loaded.</summary>
public sealed class EmulatorStartTests
{
    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("::")]
    [InlineData("192.0.2.1")]
    public async Task Start_NonLoopbackHostWithoutAllowRemote_Refused(string host)
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => StartAsync(o => o.Host = host));

        Assert.Contains("loopback", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not-an-ip")]
    [InlineData("")]
    public async Task Start_HostNotAnAddress_Refused(string host)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => StartAsync(o => o.Host = host));
    }

    [Fact]
    public async Task Start_AutoScheme_Refused()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => StartAsync(o => o.Scheme = SignatureScheme.Auto));
    }

    [Fact]
    public async Task Start_DuplicateEndpoint_Refused()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => StartAsync(o =>
        {
            o.Endpoints.Add(new EmulatedEndpoint("a", "k1"));
            o.Endpoints.Add(new EmulatedEndpoint("a", "k2"));
        }));
    }

    [Fact]
    public async Task Start_WorkerUrlNotHttp_Refused()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => StartAsync(o => o.Workers.Add(new Uri("ftp://127.0.0.1/"))));
    }

    [Fact]
    public async Task Start_Localhost_ListensOnLoopback()
    {
        await using var emulator = await StartAsync(o => o.Host = "localhost");

        Assert.Equal("127.0.0.1", emulator.BaseUrl.Host);
        Assert.NotEqual(0, emulator.BaseUrl.Port);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(emulator, "/pubkey/")).Status);
    }

    [Fact]
    public async Task Start_NoKeyGiven_GeneratesA2048BitKey()
    {
        await using var emulator = await AutoscalerEmulator.StartAsync(new EmulatorOptions { Port = 0 }).DefaultTimeout();

        using var verifier = EnvelopeVerifier.FromPublicKey(emulator.PublicKeyPem);
        Assert.Equal(2048, verifier.KeySizeInBits);
        Assert.NotEqual(PublicKeyOfSharedKey(), emulator.PublicKeyPem);
    }

    [Fact]
    public async Task Start_KeyFile_SignsWithThatKey()
    {
        var file = Path.Combine(Path.GetTempPath(), "vespa-emulator-test-" + Guid.NewGuid().ToString("N") + ".pem");
        await File.WriteAllTextAsync(file, PrivateKeyPem);
        try
        {
            await using var emulator = await AutoscalerEmulator.StartAsync(new EmulatorOptions { Port = 0, PrivateKeyPemFile = file }).DefaultTimeout();

            Assert.Equal(PublicKeyOfSharedKey(), emulator.PublicKeyPem);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Start_KeyFileWithoutAKey_Refused()
    {
        var file = Path.Combine(Path.GetTempPath(), "vespa-emulator-test-" + Guid.NewGuid().ToString("N") + ".pem");
        await File.WriteAllTextAsync(file, "not a key");
        try
        {
            await Assert.ThrowsAsync<ArgumentException>(() => AutoscalerEmulator.StartAsync(new EmulatorOptions { Port = 0, PrivateKeyPemFile = file }));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Dispose_PendingWaiter_Cancelled()
    {
        var emulator = await StartAsync();
        var waiting = emulator.WaitForStatusReportAsync(_ => true);

        await emulator.DisposeAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.DefaultTimeout());
    }

    private static string PublicKeyOfSharedKey()
    {
        using var signer = EnvelopeSigner.FromPrivateKeyPem(PrivateKeyPem);
        return signer.ExportPublicKeyPem();
    }
}
