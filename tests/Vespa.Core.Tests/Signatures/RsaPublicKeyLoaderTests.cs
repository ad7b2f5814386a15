using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Vespa.Core.Signatures;

namespace Vespa.Core.Tests.Signatures;

public sealed class RsaPublicKeyLoaderTests : IClassFixture<SigningKeyFixture>
{
    private readonly SigningKeyFixture _keys;

    public RsaPublicKeyLoaderTests(SigningKeyFixture keys)
    {
        _keys = keys;
    }

    [Fact]
    public void Load_SpkiPem_ReadsKey()
    {
        AssertSameKey(RsaPublicKeyLoader.Load(_keys.Key.ExportSubjectPublicKeyInfoPem()));
    }

    [Fact]
    public void Load_Pkcs1Pem_ReadsKey()
    {
        var pem = _keys.Key.ExportRSAPublicKeyPem();
        Assert.StartsWith("-----BEGIN RSA PUBLIC KEY-----", pem, StringComparison.Ordinal);

        AssertSameKey(RsaPublicKeyLoader.Load(pem));
    }

    [Fact]
    public void Load_SpkiDer_ReadsKey()
    {
        AssertSameKey(RsaPublicKeyLoader.Load(_keys.Key.ExportSubjectPublicKeyInfo()));
    }

    [Fact]
    public void Load_Pkcs1Der_ReadsKey()
    {
        AssertSameKey(RsaPublicKeyLoader.Load(_keys.Key.ExportRSAPublicKey()));
    }

    [Fact]
    public void Load_CertificatePem_ReadsItsKey()
    {
        using var certificate = SelfSigned();

        AssertSameKey(RsaPublicKeyLoader.Load(certificate.ExportCertificatePem()));
    }

    [Fact]
    public void Load_CertificateDer_ReadsItsKey()
    {
        using var certificate = SelfSigned();

        AssertSameKey(RsaPublicKeyLoader.Load(certificate.RawData));
    }

    [Fact]
    public void Load_PemAsUtf8BytesWithBomAndNoise_ReadsKey()
    {
        var text = "\uFEFF\n  some preamble\n" + _keys.Key.ExportSubjectPublicKeyInfoPem() + "\ntrailer\n";

        AssertSameKey(RsaPublicKeyLoader.Load(Encoding.UTF8.GetBytes(text)));
    }

    [Fact]
    public void Load_PemAfterUnrelatedBlock_SkipsToTheKey()
    {
        using var ec = ECDsa.Create();
        var text = ec.ExportPkcs8PrivateKeyPem() + "\n" + _keys.Key.ExportRSAPublicKeyPem();

        AssertSameKey(RsaPublicKeyLoader.Load(text));
    }

    [Fact]
    public void Load_OpenSshLine_ReadsKey()
    {
        var line = "ssh-rsa " + Convert.ToBase64String(SshBlob(_keys.PrivateParameters)) + " test@host";

        AssertSameKey(RsaPublicKeyLoader.Load(line));
        AssertSameKey(RsaPublicKeyLoader.Load(Encoding.ASCII.GetBytes(line + "\n")));
    }

    [Fact]
    public void Load_SshKeygenVector_EqualsItsPkcs8Export()
    {
        // Both files were written by ssh-keygen: the .pub line and `ssh-keygen -e -m PKCS8` of it.
        var directory = Path.Combine(AppContext.BaseDirectory, "Vectors");
        using var fromSsh = RsaPublicKeyLoader.Load(File.ReadAllText(Path.Combine(directory, "ssh_rsa.pub")));
        using var fromPem = RsaPublicKeyLoader.Load(File.ReadAllBytes(Path.Combine(directory, "ssh_rsa_spki.pem")));

        Assert.Equal(2048, fromSsh.KeySize);
        Assert.Equal(fromPem.ExportParameters(false).Modulus, fromSsh.ExportParameters(false).Modulus);
        Assert.Equal(fromPem.ExportParameters(false).Exponent, fromSsh.ExportParameters(false).Exponent);
    }

    [Fact]
    public void Load_BareBase64OfSpki_ReadsKey()
    {
        var text = Convert.ToBase64String(_keys.Key.ExportSubjectPublicKeyInfo(), Base64FormattingOptions.InsertLineBreaks);

        AssertSameKey(RsaPublicKeyLoader.Load(text));
    }

    [Fact]
    public void Load_LoadedKey_VerifiesSignerOutput()
    {
        using var key = RsaPublicKeyLoader.Load(_keys.Signer.ExportPublicKeyPem());
        using var verifier = new EnvelopeVerifier(key);
        var auth = _keys.Signer.CreateSignedAuthData(1, "ep", 1, 1, "https://h:1", SignatureScheme.Url);

        Assert.True(verifier.Verify(auth, SignatureScheme.Url).IsValid);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \n")]
    [InlineData("hello world")]
    [InlineData("{\"pubkey\": \"nope\"}")]
    [InlineData("-----BEGIN PUBLIC KEY-----\nnot base64!\n-----END PUBLIC KEY-----")]
    [InlineData("ssh-rsa")]
    [InlineData("ssh-rsa !!!notbase64")]
    [InlineData("ssh-rsa AAAAB3NzaC1yc2E=")]
    [InlineData("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJdD7y3aLq454yWBdwLWbieU1ebz9/cu7/QEXn9OIeZJ")]
    public void Load_Garbage_ThrowsFormatExceptionNamingTheFormats(string text)
    {
        var error = Assert.Throws<FormatException>(() => RsaPublicKeyLoader.Load(text));

        Assert.Contains("Expected an RSA public key", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_GarbageBytes_ThrowsFormatException()
    {
        Assert.Throws<FormatException>(() => RsaPublicKeyLoader.Load(new byte[] { 0x30, 0x03, 0x02, 0x01, 0x05 }));
        Assert.Throws<FormatException>(() => RsaPublicKeyLoader.Load(new byte[] { 0xFF, 0xFE, 0x00 }));
        Assert.Throws<FormatException>(() => RsaPublicKeyLoader.Load(ReadOnlySpan<byte>.Empty));
    }

    [Fact]
    public void Load_EcPublicKeyPem_ThrowsFormatException()
    {
        using var ec = ECDsa.Create();

        var error = Assert.Throws<FormatException>(() => RsaPublicKeyLoader.Load(ec.ExportSubjectPublicKeyInfoPem()));

        Assert.Contains("not an RSA key", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_OnlyPrivateKeyPem_ThrowsNamingTheLabel()
    {
        var error = Assert.Throws<FormatException>(() => RsaPublicKeyLoader.Load(_keys.Signer.ExportPrivateKeyPem()));

        Assert.Contains("'PRIVATE KEY'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_EcCertificate_ThrowsFormatException()
    {
        using var ec = ECDsa.Create();
        var request = new CertificateRequest("CN=ec", ec, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));

        Assert.Throws<FormatException>(() => RsaPublicKeyLoader.Load(certificate.ExportCertificatePem()));
    }

    [Fact]
    public void Load_SpkiDerWithTrailingBytes_ThrowsFormatException()
    {
        var der = _keys.Key.ExportSubjectPublicKeyInfo().Concat(new byte[] { 0, 0 }).ToArray();

        Assert.Throws<FormatException>(() => RsaPublicKeyLoader.Load(der));
    }

    private void AssertSameKey(RSA loaded)
    {
        using (loaded)
        {
            var parameters = loaded.ExportParameters(false);
            Assert.Equal(_keys.PrivateParameters.Modulus, parameters.Modulus);
            Assert.Equal(_keys.PrivateParameters.Exponent, parameters.Exponent);
        }
    }

    private X509Certificate2 SelfSigned()
    {
        var request = new CertificateRequest("CN=vespa-test", _keys.Key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
    }

    // RFC 4253 §6.6 public key blob, written independently of the loader: string, mpint e, mpint n.
    private static byte[] SshBlob(RSAParameters key)
    {
        using var stream = new MemoryStream();
        WriteString(stream, "ssh-rsa"u8);
        WriteMpint(stream, key.Exponent!);
        WriteMpint(stream, key.Modulus!);
        return stream.ToArray();
    }

    private static void WriteMpint(MemoryStream stream, byte[] unsignedBigEndian)
    {
        // An mpint with the top bit set gets a leading zero byte so it reads as positive.
        var value = (unsignedBigEndian[0] & 0x80) != 0 ? [0, .. unsignedBigEndian] : unsignedBigEndian;
        WriteString(stream, value);
    }

    private static void WriteString(MemoryStream stream, ReadOnlySpan<byte> value)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(length, (uint)value.Length);
        stream.Write(length);
        stream.Write(value);
    }
}
