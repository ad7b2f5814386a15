using System.Security.Cryptography;
using Vespa.Core.Envelopes;
using Vespa.Core.Signatures;

namespace Vespa.Core.Tests.Signatures;

/// <summary>
/// Issue 9, finding 7: refusing a forged request must be cheap. Each distinct signature costs at most one native
/// verification and one managed recovery, whatever the scheme setting; a signature seen before (valid or forged)
/// costs none; the managed step runs only after the native one said no.
/// </summary>
public sealed class SignatureCostTests : IClassFixture<SigningKeyFixture>
{
    private const string Url = "https://203.0.113.7:41234";

    private readonly SigningKeyFixture _keys;

    public SignatureCostTests(SigningKeyFixture keys)
    {
        _keys = keys;
    }

    private EnvelopeVerifier NewVerifier() => new(_keys.Key);

    private static AuthData Forged(int seed)
    {
        var signature = new byte[256];
        new Random(seed).NextBytes(signature);
        signature[0] &= 0x7F; // below any 2048-bit modulus
        return AuthData.Create(100, "ep", 1, 1, Convert.ToBase64String(signature), Url);
    }

    [Fact]
    public void Verify_ForgedUnderAuto_OneNativeAndOneManagedOperation_RepeatCostsNothing()
    {
        using var verifier = NewVerifier();
        var forged = Forged(1);

        Assert.False(verifier.Verify(forged, SignatureScheme.Auto).IsValid);
        Assert.Equal(1, verifier.NativeVerifications);
        Assert.Equal(1, verifier.ManagedRecoveries);

        for (var i = 0; i < 5; i++)
        {
            var again = verifier.Verify(forged, SignatureScheme.Auto);
            Assert.False(again.IsValid);
            Assert.Equal(["url: signature does not match", "legacy: signature does not match"], again.Failures);
        }

        Assert.Equal(1, verifier.NativeVerifications);
        Assert.Equal(1, verifier.ManagedRecoveries);
    }

    [Fact]
    public void Verify_SameForgedSignatureOverOtherMessages_NoFurtherRsaWork()
    {
        using var verifier = NewVerifier();
        var forged = Forged(2);
        Assert.False(verifier.Verify(forged, SignatureScheme.Auto).IsValid);

        // An attacker varying the legacy fields under one signature gets refused by a hash and a lookup.
        for (var i = 0; i < 5; i++)
        {
            var varied = AuthData.Create(100 + i, "ep", i, i, forged.SignatureText!, Url);
            Assert.False(verifier.Verify(varied, SignatureScheme.Auto).IsValid);
        }

        Assert.Equal(1, verifier.NativeVerifications);
        Assert.Equal(1, verifier.ManagedRecoveries);
    }

    [Fact]
    public void Verify_ValidUrlSignature_OneNativeOperationThenNone_NoManagedStep()
    {
        using var verifier = NewVerifier();
        var auth = _keys.Signer.CreateSignedAuthData(100, "ep", 1, 2, Url, SignatureScheme.Url);

        for (var i = 0; i < 5; i++)
        {
            Assert.True(verifier.Verify(auth, SignatureScheme.Auto).IsValid);
        }

        Assert.Equal(1, verifier.NativeVerifications);
        Assert.Equal(0, verifier.ManagedRecoveries);
    }

    [Fact]
    public void Verify_LegacySignaturesUnderAuto_LegacyTriedFirstOnceItMatched()
    {
        using var verifier = NewVerifier();
        var first = _keys.Signer.CreateSignedAuthData(100, "ep", 1, 1, Url, SignatureScheme.Legacy);
        Assert.True(verifier.Verify(first, SignatureScheme.Auto).IsValid);
        var (native, managed) = (verifier.NativeVerifications, verifier.ManagedRecoveries);

        // Every legacy request has its own signature; after the first match each costs one native verification.
        for (var i = 2; i < 6; i++)
        {
            var next = _keys.Signer.CreateSignedAuthData(100, "ep", i, i, Url, SignatureScheme.Legacy);
            var result = verifier.Verify(next, SignatureScheme.Auto);
            Assert.Equal(SignatureScheme.Legacy, result.MatchedScheme);
            Assert.Equal(["url: signature does not match"], result.Failures);
        }

        Assert.Equal(native + 4, verifier.NativeVerifications);
        Assert.Equal(managed, verifier.ManagedRecoveries);
    }

    [Fact]
    public void Verify_NoNullDigestInfo_FoundByTheManagedStepOnce()
    {
        using var verifier = NewVerifier();
        var auth = AuthData.Create(1, "ep", 1, 1, string.Empty, Url);
        var hash = SHA256.HashData(SignedMessages.ForUrlScheme(auth));
        var signature = _keys.RawSign(Pkcs1Sha256.Encode(Pkcs1Sha256.PrefixWithoutNull, hash, _keys.ModulusLength));
        var signed = auth.WithSignature(Convert.ToBase64String(signature));

        Assert.True(verifier.Verify(signed, SignatureScheme.Auto).IsValid);
        Assert.True(verifier.Verify(signed, SignatureScheme.Url).IsValid);

        Assert.Equal(1, verifier.NativeVerifications);
        Assert.Equal(1, verifier.ManagedRecoveries);
    }

    [Fact]
    public void Verify_SignatureNotBelowModulus_NoRsaOperation()
    {
        using var verifier = NewVerifier();
        var auth = AuthData.Create(1, "ep", 1, 1, Convert.ToBase64String(Enumerable.Repeat((byte)0xFF, _keys.ModulusLength).ToArray()), Url);

        Assert.False(verifier.Verify(auth, SignatureScheme.Auto).IsValid);

        Assert.Equal(0, verifier.NativeVerifications + verifier.ManagedRecoveries);
    }

    [Fact]
    public void Verify_ValidSignatureRemembered_DoesNotVouchForAnotherUrl()
    {
        using var verifier = NewVerifier();
        var auth = _keys.Signer.CreateSignedAuthData(100, "ep", 1, 2, "https://203.0.113.7:1", SignatureScheme.Url);
        var other = _keys.Signer.CreateSignedAuthData(100, "ep", 1, 2, "https://203.0.113.7:2", SignatureScheme.Url);

        Assert.True(verifier.Verify(auth, SignatureScheme.Url).IsValid);
        Assert.True(verifier.Verify(auth, SignatureScheme.Url).IsValid);
        Assert.False(verifier.Verify(other.WithSignature(auth.SignatureText!), SignatureScheme.Url).IsValid);
        Assert.False(verifier.Verify(auth.WithSignature(other.SignatureText!), SignatureScheme.Url).IsValid);
    }

    [Fact]
    public void FactsCache_FloodOfDistinctSignatures_StaysBoundedAndKeepsRecentOnes()
    {
        var cache = new SignatureFactsCache();
        var kept = SignatureFactsCache.Key([42]);
        var keptFacts = new SignatureFacts(new byte[32], null);
        cache.Add(kept, keptFacts);

        for (var i = 0; i < 3 * SignatureFactsCache.GenerationCapacity; i++)
        {
            cache.Add(SignatureFactsCache.Key(BitConverter.GetBytes(i)), SignatureFacts.None);
            if (i % 1000 == 0)
            {
                // A signature in use (the url signature of every legitimate request) survives the flood.
                Assert.Same(keptFacts, cache.Find(kept));
            }
        }

        Assert.Null(cache.Find(SignatureFactsCache.Key(BitConverter.GetBytes(0))));
        Assert.Same(SignatureFacts.None, cache.Find(SignatureFactsCache.Key(BitConverter.GetBytes((3 * SignatureFactsCache.GenerationCapacity) - 1))));
        Assert.True(cache.Count <= 2 * SignatureFactsCache.GenerationCapacity);
    }

    [Fact]
    public void Verify_FactsArePerKey()
    {
        using var verifier = NewVerifier();
        using var otherKey = RSA.Create(2048);
        using var otherVerifier = new EnvelopeVerifier(otherKey);
        var auth = _keys.Signer.CreateSignedAuthData(1, "ep", 1, 1, "https://203.0.113.7:9", SignatureScheme.Url);

        Assert.True(verifier.Verify(auth, SignatureScheme.Url).IsValid);
        Assert.False(otherVerifier.Verify(auth, SignatureScheme.Url).IsValid);
    }
}
