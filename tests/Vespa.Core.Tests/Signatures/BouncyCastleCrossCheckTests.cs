using Vespa.Core.Envelopes;
using Vespa.Core.Signatures;

namespace Vespa.Core.Tests.Signatures;

/// <summary>Our signer and verifier against BouncyCastle, over the exact canonical messages.</summary>
public sealed class BouncyCastleCrossCheckTests : IClassFixture<SigningKeyFixture>
{
    private readonly SigningKeyFixture _keys;

    public BouncyCastleCrossCheckTests(SigningKeyFixture keys)
    {
        _keys = keys;
    }

    [Theory]
    [InlineData(SignatureScheme.Url)]
    [InlineData(SignatureScheme.Legacy)]
    public void Sign_OurSignature_VerifiesWithBouncyCastle(SignatureScheme scheme)
    {
        var auth = _keys.Signer.CreateSignedAuthData(100, "my-ep", 123, 456, "https://1.2.3.4:40123", scheme);

        var verified = BouncyCastleRsa.Verify(_keys.PrivateParameters, SignedMessages.For(auth, scheme), Convert.FromBase64String(auth.SignatureText!));

        Assert.True(verified);
    }

    [Theory]
    [InlineData(SignatureScheme.Url)]
    [InlineData(SignatureScheme.Legacy)]
    public void Verify_BouncyCastleSignature_IsAccepted(SignatureScheme scheme)
    {
        var unsigned = AuthData.Create(2.5, "ep", 7, 8, string.Empty, "https://h:9");
        var signature = BouncyCastleRsa.Sign(_keys.PrivateParameters, SignedMessages.For(unsigned, scheme));

        var result = _keys.Verifier.Verify(unsigned.WithSignature(Convert.ToBase64String(signature)), scheme);

        Assert.True(result.IsValid);
    }

    [Fact]
    public void Verify_BouncyCastleSignatureOverOtherMessage_IsRejectedByBoth()
    {
        var auth = AuthData.Create(1, "ep", 1, 1, string.Empty, "https://h:1");
        var signature = BouncyCastleRsa.Sign(_keys.PrivateParameters, "not the canonical message"u8.ToArray());

        Assert.False(_keys.Verifier.Verify(auth.WithSignature(Convert.ToBase64String(signature)), SignatureScheme.Auto).IsValid);
        Assert.False(BouncyCastleRsa.Verify(_keys.PrivateParameters, SignedMessages.ForUrlScheme(auth), signature));
    }

    [Fact]
    public void Sign_ManyMessages_AgreeWithBouncyCastleSignatures()
    {
        // PKCS#1 v1.5 is deterministic: both implementations must produce identical bytes.
        for (var i = 0; i < 20; i++)
        {
            var auth = AuthData.Create(i * 0.1, "ep-" + i, i, i * 7, string.Empty, "https://h:" + i);
            var message = SignedMessages.ForLegacyScheme(auth);

            Assert.Equal(BouncyCastleRsa.Sign(_keys.PrivateParameters, message), _keys.Signer.SignToBytes(message));
        }
    }
}
