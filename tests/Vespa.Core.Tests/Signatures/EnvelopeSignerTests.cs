using System.Text;
using Vespa.Core.Envelopes;
using Vespa.Core.Signatures;

namespace Vespa.Core.Tests.Signatures;

public sealed class EnvelopeSignerTests : IClassFixture<SigningKeyFixture>
{
    private readonly SigningKeyFixture _keys;

    public EnvelopeSignerTests(SigningKeyFixture keys)
    {
        _keys = keys;
    }

    [Theory]
    [InlineData(SignatureScheme.Url)]
    [InlineData(SignatureScheme.Legacy)]
    public void CreateSignedAuthDataJson_InEnvelope_ParsesAndVerifies(SignatureScheme scheme)
    {
        var authJson = _keys.Signer.CreateSignedAuthDataJson(100, "my-ep", 5, 6, "https://h:1", scheme);
        var body = Encoding.UTF8.GetBytes($$"""{"auth_data": {{authJson}}, "session_id": null, "payload": {"prompt": "hi"} }""");

        var parsed = EnvelopeParser.Parse(body);

        Assert.True(parsed.IsValid);
        Assert.Equal(scheme, _keys.Verifier.Verify(parsed.AuthData!, SignatureScheme.Auto).MatchedScheme);
    }

    [Fact]
    public void Sign_Auto_Throws()
    {
        var auth = AuthData.Create(1, "e", 1, 1, string.Empty, "u");

        Assert.Throws<ArgumentException>(() => _keys.Signer.Sign(auth, SignatureScheme.Auto));
    }

    [Fact]
    public void Sign_Output_IsPaddedStandardBase64OfModulusLength()
    {
        var signature = _keys.Signer.Sign("message"u8);

        Assert.Equal(344, signature.Length);
        Assert.EndsWith("==", signature, StringComparison.Ordinal);
        Assert.Equal(256, Convert.FromBase64String(signature).Length);
    }

    [Fact]
    public void FromPrivateKeyPem_ExportedKey_SignsForTheSamePublicKey()
    {
        using var restored = EnvelopeSigner.FromPrivateKeyPem(_keys.Signer.ExportPrivateKeyPem());

        Assert.Equal(_keys.Signer.ExportPublicKeyPem(), restored.ExportPublicKeyPem());
        var auth = restored.CreateSignedAuthData(1, "e", 1, 1, "https://h:1", SignatureScheme.Url);
        Assert.True(_keys.Verifier.Verify(auth, SignatureScheme.Url).IsValid);
    }

    [Fact]
    public void FromPrivateKeyPem_PublicKeyOnly_Throws()
    {
        Assert.Throws<ArgumentException>(() => EnvelopeSigner.FromPrivateKeyPem(_keys.Signer.ExportPublicKeyPem()));
    }

    [Fact]
    public void FromPrivateKeyPem_Pkcs1Pem_SignsForTheSamePublicKey()
    {
        using var restored = EnvelopeSigner.FromPrivateKeyPem(_keys.Key.ExportRSAPrivateKeyPem());

        Assert.Equal(_keys.Signer.ExportPublicKeyPem(), restored.ExportPublicKeyPem());
    }

    [Fact]
    public void FromPrivateKeyPem_EcKey_Throws()
    {
        using var ec = System.Security.Cryptography.ECDsa.Create();

        Assert.Throws<ArgumentException>(() => EnvelopeSigner.FromPrivateKeyPem(ec.ExportPkcs8PrivateKeyPem()));
    }

    [Fact]
    public void Create_NewSigner_VerifiesWithItsOwnVerifier()
    {
        using var signer = EnvelopeSigner.Create(2048);
        using var verifier = signer.CreateVerifier();

        var auth = signer.CreateSignedAuthData(1, "e", 1, 1, "https://h:1", SignatureScheme.Legacy);

        Assert.Equal(2048, signer.KeySizeInBits);
        Assert.True(verifier.Verify(auth, SignatureScheme.Legacy).IsValid);
        Assert.False(_keys.Verifier.Verify(auth, SignatureScheme.Legacy).IsValid);
    }

    [Fact]
    public void Sign_ManyThreads_ProducesVerifiableSignatures()
    {
        var failures = 0;
        Parallel.For(0, 64, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            var auth = _keys.Signer.CreateSignedAuthData(1, "e", i, i, "https://h:" + i, SignatureScheme.Legacy);
            if (!_keys.Verifier.Verify(auth, SignatureScheme.Legacy).IsValid)
            {
                Interlocked.Increment(ref failures);
            }
        });

        Assert.Equal(0, failures);
    }
}
