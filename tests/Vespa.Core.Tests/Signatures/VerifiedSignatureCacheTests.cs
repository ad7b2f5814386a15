using System.Security.Cryptography;
using Vespa.Core.Signatures;

namespace Vespa.Core.Tests.Signatures;

public sealed class VerifiedSignatureCacheTests : IClassFixture<SigningKeyFixture>
{
    private readonly SigningKeyFixture _keys;

    public VerifiedSignatureCacheTests(SigningKeyFixture keys)
    {
        _keys = keys;
    }

    [Fact]
    public void Verify_SameValidSignatureTwice_ValidBothTimes_TamperedStillRejected()
    {
        using var verifier = new EnvelopeVerifier(_keys.Key);
        var auth = _keys.Signer.CreateSignedAuthData(100, "ep", 1, 2, "https://203.0.113.7:1", SignatureScheme.Url);
        var other = _keys.Signer.CreateSignedAuthData(100, "ep", 1, 2, "https://203.0.113.7:2", SignatureScheme.Url);

        Assert.True(verifier.Verify(auth, SignatureScheme.Url).IsValid);
        Assert.True(verifier.Verify(auth, SignatureScheme.Url).IsValid);
        // The signature of one url, once remembered, must not vouch for another url.
        Assert.False(verifier.Verify(other.WithSignature(auth.SignatureText!), SignatureScheme.Url).IsValid);
        Assert.False(verifier.Verify(auth.WithSignature(other.SignatureText!), SignatureScheme.Url).IsValid);
    }

    [Fact]
    public void Verify_MoreDistinctSignaturesThanCapacity_AllStillVerify()
    {
        using var verifier = new EnvelopeVerifier(_keys.Key);
        for (var i = 0; i < VerifiedSignatureCache.Capacity + 10; i++)
        {
            var auth = _keys.Signer.CreateSignedAuthData(1, "ep", i, i, $"https://203.0.113.7:{i}", SignatureScheme.Url);
            Assert.True(verifier.Verify(auth, SignatureScheme.Url).IsValid);
        }
    }

    [Fact]
    public void Key_DependsOnMessageAndSignatureBoundary()
    {
        // "ab" + "c" and "a" + "bc" must not collide: the message length is part of the key.
        Assert.NotEqual(VerifiedSignatureCache.Key("ab"u8, "c"u8), VerifiedSignatureCache.Key("a"u8, "bc"u8));
        Assert.Equal(VerifiedSignatureCache.Key("ab"u8, "c"u8), VerifiedSignatureCache.Key("ab"u8, "c"u8));
    }

    [Fact]
    public void Verify_CacheIsPerKey()
    {
        using var verifier = new EnvelopeVerifier(_keys.Key);
        using var otherKey = RSA.Create(2048);
        using var otherVerifier = new EnvelopeVerifier(otherKey);
        var auth = _keys.Signer.CreateSignedAuthData(1, "ep", 1, 1, "https://203.0.113.7:9", SignatureScheme.Url);

        Assert.True(verifier.Verify(auth, SignatureScheme.Url).IsValid);
        Assert.False(otherVerifier.Verify(auth, SignatureScheme.Url).IsValid);
    }
}
