using System.Text.Json;
using Vespa.Core.Envelopes;
using Vespa.Core.Signatures;

namespace Vespa.Core.Tests.Signatures;

/// <summary>
/// Issue 10: the url signature every request to a worker repeats is recognised by its raw JSON text (signature and
/// url), with no decoding, message, hash or allocation; anything that differs in either goes the full way.
/// </summary>
public sealed class UrlSignatureMemoTests : IClassFixture<SigningKeyFixture>
{
    private const string Url = "https://203.0.113.7:41234";

    private readonly SigningKeyFixture _keys;

    public UrlSignatureMemoTests(SigningKeyFixture keys)
    {
        _keys = keys;
    }

    private static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    [Fact]
    public void Verify_RepeatedUrlSignature_AllocatesNothing()
    {
        using var verifier = new EnvelopeVerifier(_keys.Key);
        var auth = _keys.Signer.CreateSignedAuthData(100, "ep", 1, 2, Url, SignatureScheme.Url);
        for (var i = 0; i < 200; i++)
        {
            Assert.True(verifier.Verify(auth, SignatureScheme.Auto).IsValid);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            verifier.Verify(auth, SignatureScheme.Auto);
            verifier.Verify(auth, SignatureScheme.Url);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 1000, $"{allocated} bytes for 2000 checks of a known url signature");
        Assert.Equal(1, verifier.NativeVerifications);
    }

    [Fact]
    public void Verify_SameUrlAnotherSignature_CheckedInFull()
    {
        using var verifier = new EnvelopeVerifier(_keys.Key);
        var auth = _keys.Signer.CreateSignedAuthData(100, "ep", 1, 2, Url, SignatureScheme.Url);
        Assert.True(verifier.Verify(auth, SignatureScheme.Auto).IsValid);

        var other = _keys.Signer.CreateSignedAuthData(100, "ep", 1, 2, Url + "/", SignatureScheme.Url);
        var forged = auth.WithSignature(other.SignatureText!);
        Assert.False(verifier.Verify(forged, SignatureScheme.Auto).IsValid);
        Assert.False(verifier.Verify(forged, SignatureScheme.Url).IsValid);
    }

    [Fact]
    public void Verify_SameSignatureAnotherUrl_Refused()
    {
        using var verifier = new EnvelopeVerifier(_keys.Key);
        var auth = _keys.Signer.CreateSignedAuthData(100, "ep", 1, 2, Url, SignatureScheme.Url);
        Assert.True(verifier.Verify(auth, SignatureScheme.Url).IsValid);

        var moved = AuthData.Create(100, "ep", 1, 2, auth.SignatureText!, "https://203.0.113.8:41234");
        var result = verifier.Verify(moved, SignatureScheme.Url);
        Assert.False(result.IsValid);
        Assert.Equal(["url: signature does not match"], result.Failures);
    }

    [Fact]
    public void Verify_LegacySetting_NeverAnsweredByTheUrlMemo()
    {
        using var verifier = new EnvelopeVerifier(_keys.Key);
        var auth = _keys.Signer.CreateSignedAuthData(100, "ep", 1, 2, Url, SignatureScheme.Url);
        Assert.True(verifier.Verify(auth, SignatureScheme.Auto).IsValid);

        var result = verifier.Verify(auth, SignatureScheme.Legacy);
        Assert.False(result.IsValid);
        Assert.Equal(["legacy: signature does not match"], result.Failures);
    }

    [Fact]
    public void Verify_SameUrlSpelledWithEscapes_StillValid()
    {
        using var verifier = new EnvelopeVerifier(_keys.Key);
        var auth = _keys.Signer.CreateSignedAuthData(100, "ep", 1, 2, Url, SignatureScheme.Url);
        Assert.True(verifier.Verify(auth, SignatureScheme.Auto).IsValid);

        // Another raw text for the same string: not the remembered one, so checked in full, and valid.
        var escaped = AuthData.Create(auth.Cost, auth.Endpoint, auth.Reqnum, auth.RequestIdx, auth.Signature, Parse("\"https:\\/\\/203.0.113.7:41234\""));
        Assert.Equal(SignatureScheme.Url, verifier.Verify(escaped, SignatureScheme.Auto).MatchedScheme);
        Assert.True(verifier.Verify(auth, SignatureScheme.Auto).IsValid);
    }
}
