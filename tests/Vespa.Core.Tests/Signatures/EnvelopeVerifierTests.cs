using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Vespa.Core.Envelopes;
using Vespa.Core.Json;
using Vespa.Core.Signatures;

namespace Vespa.Core.Tests.Signatures;

public sealed class EnvelopeVerifierTests : IClassFixture<SigningKeyFixture>
{
    private const string WorkerUrl = "https://203.0.113.7:41234";

    private readonly SigningKeyFixture _keys;

    public EnvelopeVerifierTests(SigningKeyFixture keys)
    {
        _keys = keys;
    }

    [Theory]
    [InlineData(SignatureScheme.Url)]
    [InlineData(SignatureScheme.Auto)]
    public void Verify_UrlSignature_IsValid(SignatureScheme mode)
    {
        var auth = _keys.Signer.CreateSignedAuthData(100, "my-ep", 1, 2, WorkerUrl, SignatureScheme.Url);

        var result = _keys.Verifier.Verify(auth, mode);

        Assert.True(result.IsValid);
        Assert.Equal(SignatureScheme.Url, result.MatchedScheme);
        Assert.Empty(result.Failures);
    }

    [Fact]
    public void Verify_LegacySignatureUnderLegacy_IsValid()
    {
        var auth = _keys.Signer.CreateSignedAuthData(100, "my-ep", 1, 2, WorkerUrl, SignatureScheme.Legacy);

        var result = _keys.Verifier.Verify(auth, SignatureScheme.Legacy);

        Assert.True(result.IsValid);
        Assert.Equal(SignatureScheme.Legacy, result.MatchedScheme);
    }

    [Fact]
    public void Verify_LegacySignatureUnderAuto_MatchesLegacyAfterUrlFails()
    {
        var auth = _keys.Signer.CreateSignedAuthData(100, "my-ep", 1, 2, WorkerUrl, SignatureScheme.Legacy);

        var result = _keys.Verifier.Verify(auth, SignatureScheme.Auto);

        Assert.True(result.IsValid);
        Assert.Equal(SignatureScheme.Legacy, result.MatchedScheme);
        Assert.Equal(["url: signature does not match"], result.Failures);
    }

    [Fact]
    public void Verify_LegacySignatureUnderUrl_IsRejected()
    {
        var auth = _keys.Signer.CreateSignedAuthData(100, "my-ep", 1, 2, WorkerUrl, SignatureScheme.Legacy);

        var result = _keys.Verifier.Verify(auth, SignatureScheme.Url);

        Assert.False(result.IsValid);
        Assert.Null(result.MatchedScheme);
        Assert.Equal(["url: signature does not match"], result.Failures);
    }

    [Fact]
    public void Verify_UrlSignatureUnderLegacy_IsRejected()
    {
        var auth = _keys.Signer.CreateSignedAuthData(100, "my-ep", 1, 2, WorkerUrl, SignatureScheme.Url);

        Assert.Equal(["legacy: signature does not match"], _keys.Verifier.Verify(auth, SignatureScheme.Legacy).Failures);
    }

    [Theory]
    [InlineData(SignatureScheme.Url)]
    [InlineData(SignatureScheme.Legacy)]
    public void Verify_TamperedUrl_IsRejected(SignatureScheme scheme)
    {
        var signed = _keys.Signer.CreateSignedAuthData(100, "my-ep", 1, 2, WorkerUrl, scheme);
        var tampered = Rebuild(signed, url: JsonValues.FromString("https://198.51.100.1:41234"));

        Assert.False(_keys.Verifier.Verify(tampered, scheme).IsValid);
        Assert.False(_keys.Verifier.Verify(tampered, SignatureScheme.Auto).IsValid);
    }

    [Theory]
    [InlineData("cost")]
    [InlineData("endpoint")]
    [InlineData("reqnum")]
    [InlineData("request_idx")]
    public void Verify_TamperedLegacyField_IsRejectedUnderLegacy(string field)
    {
        var signed = _keys.Signer.CreateSignedAuthData(100, "my-ep", 1, 2, WorkerUrl, SignatureScheme.Legacy);

        var tampered = Tamper(signed, field);

        Assert.True(_keys.Verifier.Verify(signed, SignatureScheme.Legacy).IsValid);
        Assert.False(_keys.Verifier.Verify(tampered, SignatureScheme.Legacy).IsValid);
        Assert.False(_keys.Verifier.Verify(tampered, SignatureScheme.Auto).IsValid);
    }

    [Theory]
    [InlineData("cost")]
    [InlineData("endpoint")]
    [InlineData("reqnum")]
    [InlineData("request_idx")]
    public void Verify_TamperedUnsignedField_IsStillValidUnderUrl(string field)
    {
        // The current scheme binds only the url (vast-protocol.md §2.1): the other fields are not protected.
        var signed = _keys.Signer.CreateSignedAuthData(100, "my-ep", 1, 2, WorkerUrl, SignatureScheme.Url);

        var tampered = Tamper(signed, field);

        Assert.True(_keys.Verifier.Verify(tampered, SignatureScheme.Url).IsValid);
        Assert.True(_keys.Verifier.Verify(tampered, SignatureScheme.Auto).IsValid);
    }

    [Fact]
    public void Verify_LegacyCostIntTokenInsteadOfFloat_IsRejected()
    {
        // Signed as "cost": 100.0; the same number sent as the int token 100 canonicalises to a different message.
        var signed = _keys.Signer.CreateSignedAuthData(100, "my-ep", 1, 2, WorkerUrl, SignatureScheme.Legacy);
        var asInt = Rebuild(signed, cost: JsonValues.FromInt64(100));
        var asExponent = Rebuild(signed, cost: Number("1e2"));

        Assert.False(_keys.Verifier.Verify(asInt, SignatureScheme.Legacy).IsValid);
        Assert.True(_keys.Verifier.Verify(asExponent, SignatureScheme.Legacy).IsValid);
    }

    [Fact]
    public void Verify_WrongKey_IsRejected()
    {
        using var other = EnvelopeSigner.Create();
        var auth = other.CreateSignedAuthData(100, "my-ep", 1, 2, WorkerUrl, SignatureScheme.Url);

        var result = _keys.Verifier.Verify(auth, SignatureScheme.Auto);

        Assert.False(result.IsValid);
        Assert.Equal(["url: signature does not match", "legacy: signature does not match"], result.Failures);
    }

    [Fact]
    public void Verify_UrlSafeBase64_IsRejected()
    {
        var (auth, signature) = FindSignature(s => s.Contains('+', StringComparison.Ordinal) || s.Contains('/', StringComparison.Ordinal));
        var urlSafe = signature.Replace('+', '-').Replace('/', '_');

        Assert.True(_keys.Verifier.Verify(auth, SignatureScheme.Url).IsValid);
        Assert.False(_keys.Verifier.Verify(auth.WithSignature(urlSafe), SignatureScheme.Url).IsValid);
    }

    [Fact]
    public void Verify_TrimmedLeadingZeroByte_IsRejected()
    {
        // About one signature in 256 starts with a zero byte: vary reqnum under the legacy scheme until one does.
        AuthData? auth = null;
        byte[]? raw = null;
        for (var reqnum = 0; reqnum < 20_000; reqnum++)
        {
            var candidate = _keys.Signer.CreateSignedAuthData(1, "ep", reqnum, 0, WorkerUrl, SignatureScheme.Legacy);
            var bytes = Convert.FromBase64String(candidate.SignatureText!);
            if (bytes[0] == 0)
            {
                auth = candidate;
                raw = bytes;
                break;
            }
        }

        Assert.NotNull(auth);
        var trimmed = auth.WithSignature(Convert.ToBase64String(raw![1..]));

        Assert.True(_keys.Verifier.Verify(auth, SignatureScheme.Legacy).IsValid);
        var result = _keys.Verifier.Verify(trimmed, SignatureScheme.Legacy);
        Assert.False(result.IsValid);
        Assert.Equal([$"legacy: signature is {_keys.ModulusLength - 1} bytes, the key needs {_keys.ModulusLength}"], result.Failures);
    }

    [Fact]
    public void Verify_WhitespaceAndNewlinesInsideBase64_IsAccepted()
    {
        var auth = _keys.Signer.CreateSignedAuthData(1, "ep", 1, 1, WorkerUrl, SignatureScheme.Url);
        var signature = auth.SignatureText!;
        var wrapped = new StringBuilder();
        for (var i = 0; i < signature.Length; i += 64)
        {
            wrapped.Append(signature.AsSpan(i, Math.Min(64, signature.Length - i))).Append("\r\n");
        }

        var spaced = " " + signature[..10] + " \t " + signature[10..] + "\n";

        Assert.True(_keys.Verifier.Verify(auth.WithSignature(wrapped.ToString()), SignatureScheme.Url).IsValid);
        Assert.True(_keys.Verifier.Verify(auth.WithSignature(spaced), SignatureScheme.Url).IsValid);
    }

    [Fact]
    public void Verify_MissingPadding_IsRejectedAsInvalidBase64()
    {
        var auth = _keys.Signer.CreateSignedAuthData(1, "ep", 1, 1, WorkerUrl, SignatureScheme.Url);
        var unpadded = auth.SignatureText!.TrimEnd('=');
        Assert.NotEqual(auth.SignatureText, unpadded);

        var result = _keys.Verifier.Verify(auth.WithSignature(unpadded), SignatureScheme.Url);

        Assert.False(result.IsValid);
        Assert.Equal(["url: signature is not valid base64"], result.Failures);
    }

    [Fact]
    public void Verify_DataAfterPadding_IsIgnoredLikePython()
    {
        var auth = _keys.Signer.CreateSignedAuthData(1, "ep", 1, 1, WorkerUrl, SignatureScheme.Url);

        Assert.True(_keys.Verifier.Verify(auth.WithSignature(auth.SignatureText + "QUJD"), SignatureScheme.Url).IsValid);
    }

    [Fact]
    public void Verify_DigestInfoWithoutNullParameter_IsAccepted()
    {
        var auth = AuthData.Create(1, "ep", 1, 1, string.Empty, WorkerUrl);
        var hash = SHA256.HashData(SignedMessages.ForUrlScheme(auth));
        var encoded = Pkcs1Sha256.Encode(Pkcs1Sha256.PrefixWithoutNull, hash, _keys.ModulusLength);
        var signature = _keys.RawSign(encoded);

        var result = _keys.Verifier.Verify(auth.WithSignature(Convert.ToBase64String(signature)), SignatureScheme.Url);

        Assert.True(result.IsValid);
        Assert.True(BouncyCastleRsa.Verify(_keys.PrivateParameters, SignedMessages.ForUrlScheme(auth), signature));
    }

    [Fact]
    public void Verify_HandEncodedDigestInfoWithNull_IsAccepted()
    {
        var auth = AuthData.Create(1, "ep", 1, 1, string.Empty, WorkerUrl);
        var hash = SHA256.HashData(SignedMessages.ForUrlScheme(auth));
        var signature = _keys.RawSign(Pkcs1Sha256.Encode(Pkcs1Sha256.PrefixWithNull, hash, _keys.ModulusLength));

        Assert.True(_keys.Verifier.Verify(auth.WithSignature(Convert.ToBase64String(signature)), SignatureScheme.Url).IsValid);
    }

    [Fact]
    public void Verify_HandEncodedWithWrongHash_IsRejected()
    {
        var auth = AuthData.Create(1, "ep", 1, 1, string.Empty, WorkerUrl);
        var wrongHash = SHA256.HashData("something else"u8);
        var signature = _keys.RawSign(Pkcs1Sha256.Encode(Pkcs1Sha256.PrefixWithoutNull, wrongHash, _keys.ModulusLength));

        Assert.False(_keys.Verifier.Verify(auth.WithSignature(Convert.ToBase64String(signature)), SignatureScheme.Url).IsValid);
    }

    [Fact]
    public void Verify_HandEncodedWithShortPadding_IsRejected()
    {
        // A valid-looking block whose 0xFF run is broken by a zero byte must not match either DigestInfo form.
        var auth = AuthData.Create(1, "ep", 1, 1, string.Empty, WorkerUrl);
        var hash = SHA256.HashData(SignedMessages.ForUrlScheme(auth));
        var encoded = Pkcs1Sha256.Encode(Pkcs1Sha256.PrefixWithoutNull, hash, _keys.ModulusLength);
        encoded[5] = 0x00;

        var signature = _keys.RawSign(encoded);

        Assert.False(_keys.Verifier.Verify(auth.WithSignature(Convert.ToBase64String(signature)), SignatureScheme.Url).IsValid);
    }

    [Fact]
    public void Verify_SignatureNotBelowModulus_IsRejectedWithoutThrowing()
    {
        var auth = AuthData.Create(1, "ep", 1, 1, Convert.ToBase64String(Enumerable.Repeat((byte)0xFF, _keys.ModulusLength).ToArray()), WorkerUrl);

        Assert.False(_keys.Verifier.Verify(auth, SignatureScheme.Auto).IsValid);
    }

    [Theory]
    [InlineData("123")]
    [InlineData("null")]
    [InlineData("[\"c2ln\"]")]
    public void Verify_SignatureNotAString_IsRejected(string signatureJson)
    {
        var auth = AuthData.Create(1, "ep", 1, 1, string.Empty, WorkerUrl).WithSignature(Number(signatureJson));

        var result = _keys.Verifier.Verify(auth, SignatureScheme.Auto);

        Assert.Equal(["url: signature is not a string", "legacy: signature is not a string"], result.Failures);
    }

    [Fact]
    public void Verify_EmptySignature_IsRejectedForLength()
    {
        var result = _keys.Verifier.Verify(AuthData.Create(1, "ep", 1, 1, string.Empty, WorkerUrl), SignatureScheme.Url);

        Assert.False(result.IsValid);
        Assert.Equal([$"url: signature is 0 bytes, the key needs {_keys.ModulusLength}"], result.Failures);
    }

    [Fact]
    public void Verify_NonAsciiInSignature_IsRejected()
    {
        var auth = _keys.Signer.CreateSignedAuthData(1, "ep", 1, 1, WorkerUrl, SignatureScheme.Url);

        Assert.False(_keys.Verifier.Verify(auth.WithSignature(auth.SignatureText + "\u00e9"), SignatureScheme.Url).IsValid);
    }

    [Fact]
    public void Verify_Failures_NeverEchoSignatureOrUrl()
    {
        var auth = _keys.Signer.CreateSignedAuthData(1, "ep", 1, 1, WorkerUrl, SignatureScheme.Legacy);
        var broken = Rebuild(auth, url: JsonValues.FromString("https://secret.example:1"));

        var result = _keys.Verifier.Verify(broken, SignatureScheme.Auto);

        Assert.NotEmpty(result.Failures);
        Assert.All(result.Failures, f =>
        {
            Assert.DoesNotContain(auth.SignatureText![..12], f, StringComparison.Ordinal);
            Assert.DoesNotContain("secret", f, StringComparison.Ordinal);
        });
    }

    [Theory]
    [InlineData("5")]
    [InlineData("null")]
    [InlineData("{\"b\": [1, 2.0], \"a\": \"\\ud800\"}")]
    [InlineData("\"https:\\/\\/h\\u00e9:1\"")]
    public void Verify_OddUrlValue_SignsAndVerifiesItsCanonicalForm(string urlJson)
    {
        var unsigned = Rebuild(AuthData.Create(1, "ep", 1, 1, string.Empty, WorkerUrl), url: Number(urlJson));
        var signed = _keys.Signer.SignAuthData(unsigned, SignatureScheme.Url);

        Assert.True(_keys.Verifier.Verify(signed, SignatureScheme.Url).IsValid);
    }

    [Fact]
    public void Verify_ManyThreadsAtOnce_GivesConsistentResults()
    {
        var valid = _keys.Signer.CreateSignedAuthData(1, "ep", 1, 1, WorkerUrl, SignatureScheme.Url);
        var invalid = Rebuild(valid, url: JsonValues.FromString("https://other:1"));
        var errors = 0;

        Parallel.For(0, 2000, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            var expectValid = i % 2 == 0;
            var result = _keys.Verifier.Verify(expectValid ? valid : invalid, SignatureScheme.Auto);
            if (result.IsValid != expectValid)
            {
                Interlocked.Increment(ref errors);
            }
        });

        Assert.Equal(0, errors);
    }

    [Fact]
    public void VerifyMessage_RawSignature_ChecksLengthAndContent()
    {
        var message = "hello"u8.ToArray();
        var signature = _keys.Signer.SignToBytes(message);

        Assert.True(_keys.Verifier.VerifyMessage(message, signature));
        Assert.False(_keys.Verifier.VerifyMessage("hellO"u8, signature));
        Assert.False(_keys.Verifier.VerifyMessage(message, signature.AsSpan(1)));
    }

    [Fact]
    public void Constructor_PublicKeyOnly_ReportsSizes()
    {
        using var publicOnly = RSA.Create();
        publicOnly.ImportSubjectPublicKeyInfo(_keys.Key.ExportSubjectPublicKeyInfo(), out _);

        using var verifier = new EnvelopeVerifier(publicOnly);

        Assert.Equal(2048, verifier.KeySizeInBits);
        Assert.Equal(256, verifier.ModulusLength);
    }

    [Fact]
    public void FromPublicKey_Pem_VerifiesSignerOutput()
    {
        using var verifier = EnvelopeVerifier.FromPublicKey(_keys.Signer.ExportPublicKeyPem());
        var auth = _keys.Signer.CreateSignedAuthData(1, "ep", 1, 1, WorkerUrl, SignatureScheme.Url);

        Assert.True(verifier.Verify(auth, SignatureScheme.Url).IsValid);
    }

    private (AuthData Auth, string Signature) FindSignature(Func<string, bool> predicate)
    {
        for (var i = 0; i < 1000; i++)
        {
            var auth = _keys.Signer.CreateSignedAuthData(1, "ep", 0, 0, WorkerUrl + "/" + i, SignatureScheme.Url);
            if (predicate(auth.SignatureText!))
            {
                return (auth, auth.SignatureText!);
            }
        }

        throw new InvalidOperationException("No signature matched the predicate.");
    }

    private static AuthData Tamper(AuthData auth, string field) => field switch
    {
        "cost" => Rebuild(auth, cost: JsonValues.FromDouble(101)),
        "endpoint" => Rebuild(auth, endpoint: JsonValues.FromString("other-ep")),
        "reqnum" => Rebuild(auth, reqnum: JsonValues.FromInt64(2)),
        "request_idx" => Rebuild(auth, requestIdx: JsonValues.FromInt64(3)),
        _ => throw new ArgumentOutOfRangeException(nameof(field)),
    };

    private static AuthData Rebuild(
        AuthData auth,
        JsonElement? cost = null,
        JsonElement? endpoint = null,
        JsonElement? reqnum = null,
        JsonElement? requestIdx = null,
        JsonElement? url = null) =>
        AuthData.Create(cost ?? auth.Cost, endpoint ?? auth.Endpoint, reqnum ?? auth.Reqnum, requestIdx ?? auth.RequestIdx, auth.Signature, url ?? auth.Url);

    private static JsonElement Number(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
