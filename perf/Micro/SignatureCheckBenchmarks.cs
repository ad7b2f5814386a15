using System.Numerics;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Vespa.Core.Envelopes;
using Vespa.Core.Signatures;

namespace Vespa.Perf.Micro;

/// <summary>
/// CPU per signature check (issue 9, finding 7) under the default scheme setting <c>auto</c> with a
/// 2048-bit key, one call at a time: what one request costs the worker before anything is forwarded.
/// <list type="bullet">
/// <item><see cref="UrlCached"/>: every legitimate request to a worker carries the same url signature.</item>
/// <item><see cref="UrlUncached"/>: a valid url signature seen for the first time.</item>
/// <item><see cref="LegacyUncached"/>: legacy signatures differ per request (cost, reqnum, request_idx are signed).</item>
/// <item><see cref="ForgedUncached"/>: a distinct forged signature each call, what an attacker sends.</item>
/// <item><see cref="ForgedRepeated"/>: one forged signature sent again and again.</item>
/// <item><see cref="ForgedUncachedAsOn3374aaf"/>, <see cref="LegacyUncachedAsOn3374aaf"/>: the work main 3374aaf did
/// for a signature it had not verified before (native verify for url, managed s^e mod n, native verify for legacy;
/// forged ones were never remembered), for comparison on the same machine.</item>
/// </list>
/// The distinct sets are larger than the verifier's facts cache (2 × 2048 signatures), so a signature
/// is forgotten before it comes round again.
/// </summary>
[MemoryDiagnoser]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "BenchmarkDotNet needs an unsealed class and releases it through [GlobalCleanup].")]
public class SignatureCheckBenchmarks
{
    private const int Distinct = 5000;
    private const string Url = "http://203.0.113.7:41234";

    private EnvelopeVerifier _verifier = null!;
    private RSA _publicKey = null!;
    private BigInteger _modulus;
    private BigInteger _exponent;
    private AuthData _urlSigned = null!;
    private AuthData[] _urlDistinct = [];
    private AuthData[] _legacyDistinct = [];
    private AuthData[] _forgedDistinct = [];
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        using var signer = EnvelopeSigner.Create(2048);
        using var key = RSA.Create();
        key.ImportFromPem(signer.ExportPublicKeyPem());
        _verifier = new EnvelopeVerifier(key);
        _publicKey = RSA.Create();
        _publicKey.ImportFromPem(signer.ExportPublicKeyPem());
        var parameters = _publicKey.ExportParameters(false);
        _modulus = new BigInteger(parameters.Modulus, isUnsigned: true, isBigEndian: true);
        _exponent = new BigInteger(parameters.Exponent, isUnsigned: true, isBigEndian: true);

        _urlSigned = signer.CreateSignedAuthData(100, "endpoint", 1, 1, Url, SignatureScheme.Url);
        _urlDistinct = [.. Enumerable.Range(0, Distinct).Select(i => signer.CreateSignedAuthData(100, "endpoint", i, i, $"http://203.0.113.7:{1000 + i}", SignatureScheme.Url))];
        _legacyDistinct = [.. Enumerable.Range(0, Distinct).Select(i => signer.CreateSignedAuthData(100 + i, "endpoint", i, i, Url, SignatureScheme.Legacy))];
        var random = new Random(9);
        _forgedDistinct = [.. Enumerable.Range(0, Distinct).Select(_ =>
        {
            var bytes = new byte[256];
            random.NextBytes(bytes);
            bytes[0] &= 0x7F;
            return AuthData.Create(100, "endpoint", 1, 1, Convert.ToBase64String(bytes), Url);
        })];

        // The legacy case measures the steady state: legacy already matched once, so it is tried first.
        _verifier.Verify(_legacyDistinct[0], SignatureScheme.Auto);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _verifier?.Dispose();
        _publicKey?.Dispose();
    }

    private T Next<T>(T[] items) => items[_next++ % items.Length];

    [Benchmark]
    public bool UrlCached() => _verifier.Verify(_urlSigned, SignatureScheme.Auto).IsValid;

    [Benchmark]
    public bool UrlUncached() => _verifier.Verify(Next(_urlDistinct), SignatureScheme.Auto).IsValid;

    [Benchmark]
    public bool LegacyUncached() => _verifier.Verify(Next(_legacyDistinct), SignatureScheme.Auto).IsValid;

    [Benchmark]
    public bool ForgedUncached() => _verifier.Verify(Next(_forgedDistinct), SignatureScheme.Auto).IsValid;

    [Benchmark]
    public bool ForgedRepeated() => _verifier.Verify(_forgedDistinct[0], SignatureScheme.Auto).IsValid;

    [Benchmark]
    public bool LegacyUncachedAsOn3374aaf() => OldPath(Next(_legacyDistinct));

    [Benchmark(Baseline = true)]
    public bool ForgedUncachedAsOn3374aaf() => OldPath(Next(_forgedDistinct));

    /// <summary>What 3374aaf did for a signature not in its cache, under auto: native verify for url; if no, the managed
    /// recovery (checked against url without NULL); then native verify for legacy.</summary>
    private bool OldPath(AuthData auth)
    {
        var signature = Convert.FromBase64String(auth.SignatureText!);
        var urlHash = SHA256.HashData(SignedMessages.ForUrlScheme(auth));
        if (_publicKey.VerifyHash(urlHash, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
        {
            return true;
        }

        if (BigInteger.ModPow(new BigInteger(signature, isUnsigned: true, isBigEndian: true), _exponent, _modulus).IsZero)
        {
            return true;
        }

        var legacyHash = SHA256.HashData(SignedMessages.ForLegacyScheme(auth));
        return _publicKey.VerifyHash(legacyHash, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
    }
}
