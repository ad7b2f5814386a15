using System.Numerics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using Vespa.Core.Envelopes;

namespace Vespa.Core.Signatures;

/// <summary>
/// Verifies <c>auth_data.signature</c> as the vast.ai worker does (vast-protocol.md §2): RSASSA-PKCS1-v1_5 with
/// SHA-256 over the scheme's canonical message, with the signature decoded by Python's lenient base64 rules.
/// Thread-safe: one instance serves all requests.
/// </summary>
/// <remarks>
/// <list type="number">
/// <item>The signature must be a JSON string and decode under <see cref="PythonBase64"/>.</item>
/// <item>Its length must equal the modulus length exactly, as pycryptodome requires (a signature whose leading zero
/// byte was trimmed is rejected), and it must be below the modulus.</item>
/// <item><see cref="SignatureScheme.Auto"/> tries the url-only message, then the legacy five-field message.</item>
/// <item>Cost: what a signature proves does not depend on the message (<see cref="SignatureFacts"/>), so it is
/// established once per distinct signature and remembered, valid or forged (<see cref="SignatureFactsCache"/>).
/// Establishing it takes at most two public-key operations: the platform's native
/// <see cref="RSA.VerifyHash(byte[], byte[], HashAlgorithmName, RSASignaturePadding)"/> for one scheme (the one that
/// matched last, so a worker fed legacy signatures tries legacy first), and only if that says no, one managed
/// <c>s^e mod n</c> (<see cref="Pkcs1Sha256"/>), which answers every other scheme and both DigestInfo forms at once
/// (pycryptodome also accepts the form without the NULL parameter, which the platform verifier refuses). The managed
/// step is several times slower than the native one, so it runs only where it can change the answer. A repeated
/// signature costs a SHA-256 and a lookup.</item>
/// </list>
/// </remarks>
public sealed class EnvelopeVerifier : IDisposable
{
    private static readonly SignatureScheme[] UrlOnly = [SignatureScheme.Url];
    private static readonly SignatureScheme[] LegacyOnly = [SignatureScheme.Legacy];
    private static readonly SignatureScheme[] Both = [SignatureScheme.Url, SignatureScheme.Legacy];

    // The answers without failures are the same every time: shared, so a valid request allocates no result.
    private static readonly SignatureVerification UrlMatched = new(SignatureScheme.Url, []);
    private static readonly SignatureVerification LegacyMatched = new(SignatureScheme.Legacy, []);

    private readonly RsaInstancePool _pool;
    private readonly BigInteger _modulus;
    private readonly BigInteger _exponent;
    private readonly SignatureFactsCache _facts = new();
    private readonly byte[] _modulusBytes;
    private volatile UrlMatch? _lastUrlMatch;
    private int _preferred = (int)SignatureScheme.Url;
    private long _nativeVerifications;
    private long _managedRecoveries;

    /// <summary>Creates a verifier for <paramref name="publicKey"/>. Only the public parameters are copied: the
    /// caller keeps ownership of <paramref name="publicKey"/>.</summary>
    public EnvelopeVerifier(RSA publicKey)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        var parameters = publicKey.ExportParameters(includePrivateParameters: false);
        if (parameters.Modulus is not { Length: > 0 } modulus || parameters.Exponent is not { Length: > 0 } exponent)
        {
            throw new ArgumentException("The RSA key has no public parameters.", nameof(publicKey));
        }

        _modulus = new BigInteger(modulus, isUnsigned: true, isBigEndian: true);
        _exponent = new BigInteger(exponent, isUnsigned: true, isBigEndian: true);
        _modulusBytes = modulus.AsSpan().TrimStart((byte)0).ToArray();
        ModulusLength = _modulusBytes.Length;
        KeySizeInBits = (int)_modulus.GetBitLength();
        _pool = new RsaInstancePool(parameters, Math.Max(4, Environment.ProcessorCount * 2));
    }

    /// <summary>The modulus length in bytes: the only signature length accepted.</summary>
    public int ModulusLength { get; }

    /// <summary>The key size in bits.</summary>
    public int KeySizeInBits { get; }

    /// <summary>Native RSA verifications run so far (at most one per distinct signature).</summary>
    public long NativeVerifications => Interlocked.Read(ref _nativeVerifications);

    /// <summary>Managed <c>s^e mod n</c> recoveries run so far (at most one per distinct signature, only after the
    /// native check said no).</summary>
    public long ManagedRecoveries => Interlocked.Read(ref _managedRecoveries);

    /// <summary>Creates a verifier from any format <see cref="RsaPublicKeyLoader"/> reads.</summary>
    public static EnvelopeVerifier FromPublicKey(string publicKey)
    {
        using var rsa = RsaPublicKeyLoader.Load(publicKey);
        return new EnvelopeVerifier(rsa);
    }

    /// <summary>Checks <paramref name="authData"/>'s signature under <paramref name="scheme"/>.</summary>
    public SignatureVerification Verify(AuthData authData, SignatureScheme scheme)
    {
        ArgumentNullException.ThrowIfNull(authData);
        var schemes = scheme switch
        {
            SignatureScheme.Url => UrlOnly,
            SignatureScheme.Legacy => LegacyOnly,
            SignatureScheme.Auto => Both,
            _ => throw new ArgumentOutOfRangeException(nameof(scheme), scheme, null),
        };

        // Step 0: the url signature every legitimate request to this worker carries, compared as raw JSON text: the
        // same signature text and url text decode to the same signature and message, so the answer is the one given
        // before (url is tried first under auto, so that answer holds there too). No decoding, message or hash.
        if (scheme != SignatureScheme.Legacy && _lastUrlMatch is { } last && last.Matches(authData))
        {
            return UrlMatched;
        }

        var problem = DecodeSignature(authData, out var signature);
        if (problem is not null)
        {
            var refused = new string[schemes.Length];
            for (var i = 0; i < schemes.Length; i++)
            {
                refused[i] = Describe(schemes[i], problem);
            }

            return new SignatureVerification(null, refused);
        }

        // Step 1: what the signature proves: remembered, or established with the least RSA work. Message hashes are
        // computed only when needed (a cached url signature never builds the legacy message).
        var hashes = new MessageHashes(authData, schemes);
        var key = SignatureFactsCache.Key(signature);
        var facts = _facts.Find(key);
        if (facts is null)
        {
            var preferred = Array.IndexOf(schemes, (SignatureScheme)Volatile.Read(ref _preferred));
            var hash = preferred >= 0 ? hashes.Get(preferred) : null;
            for (var i = 0; hash is null && i < schemes.Length; i++)
            {
                hash = hashes.Get(i);
            }

            if (hash is null)
            {
                // Nothing to check against: not worth an RSA operation, nor a cache entry.
                facts = SignatureFacts.None;
            }
            else
            {
                facts = Establish(signature, hash);
                _facts.Add(key, facts);
            }
        }

        // Step 2: the first scheme (in the documented order) whose message the signature covers.
        List<string>? failures = null;
        for (var i = 0; i < schemes.Length; i++)
        {
            if (hashes.Get(i) is not { } hash)
            {
                (failures ??= new List<string>(schemes.Length)).Add(Describe(schemes[i], "the signed message cannot be built (a string is not valid UTF-8)"));
            }
            else if (facts.Covers(hash))
            {
                if (Volatile.Read(ref _preferred) != (int)schemes[i])
                {
                    Volatile.Write(ref _preferred, (int)schemes[i]);
                }

                if (schemes[i] == SignatureScheme.Url)
                {
                    _lastUrlMatch = new UrlMatch(authData);
                }

                return failures is not null
                    ? new SignatureVerification(schemes[i], failures)
                    : schemes[i] == SignatureScheme.Url ? UrlMatched : LegacyMatched;
            }
            else
            {
                (failures ??= new List<string>(schemes.Length)).Add(Describe(schemes[i], "signature does not match"));
            }
        }

        return new SignatureVerification(null, failures ?? []);
    }

    /// <summary>Checks a raw signature over <paramref name="message"/> (no base64, exact length required).</summary>
    public bool VerifyMessage(ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        if (signature.Length != ModulusLength)
        {
            return false;
        }

        var hash = SHA256.HashData(message);
        var key = SignatureFactsCache.Key(signature);
        var facts = _facts.Find(key);
        if (facts is null)
        {
            facts = Establish(signature.ToArray(), hash);
            _facts.Add(key, facts);
        }

        return facts.Covers(hash);
    }

    public void Dispose() => _pool.Dispose();

    private string? DecodeSignature(AuthData authData, out byte[] signature)
    {
        signature = [];
        if (authData.Signature.ValueKind != JsonValueKind.String)
        {
            return "signature is not a string";
        }

        // The raw token without its quotes: when it holds no escape it is the text itself, decoded without a string.
        var raw = JsonMarshal.GetRawUtf8Value(authData.Signature);
        var decoded = raw.Length >= 2 && raw[1..^1].IndexOf((byte)'\\') < 0
            ? PythonBase64.TryDecodeUtf8(raw[1..^1], out signature)
            : PythonBase64.TryDecode(authData.SignatureText, out signature);
        if (!decoded)
        {
            return "signature is not valid base64";
        }

        return signature.Length == ModulusLength
            ? null
            : $"signature is {signature.Length} bytes, the key needs {ModulusLength}";
    }

    private SignatureFacts Establish(byte[] signature, byte[] hash)
    {
        // Not below the modulus: no RSA operation can make it valid (pycryptodome refuses it too). Both are
        // big-endian strings of the same length, so comparing bytes compares numbers (no BigInteger per request).
        if (signature.AsSpan().SequenceCompareTo(_modulusBytes) >= 0)
        {
            return SignatureFacts.None;
        }

        if (VerifyNative(hash, signature))
        {
            // The block is the NULL-form encoding of this hash, so it proves nothing else.
            return new SignatureFacts(hash, null);
        }

        Interlocked.Increment(ref _managedRecoveries);
        var encoded = Pkcs1Sha256.RecoverEncodedMessage(signature, _modulus, _exponent, ModulusLength);
        return encoded is null ? SignatureFacts.None : Pkcs1Sha256.Facts(encoded);
    }

    private bool VerifyNative(byte[] hash, byte[] signature)
    {
        Interlocked.Increment(ref _nativeVerifications);
        var rsa = _pool.Rent();
        try
        {
            return rsa.VerifyHash(hash, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        }
        catch (CryptographicException)
        {
            // Treated as "does not match"; the managed recovery decides.
            return false;
        }
        finally
        {
            _pool.Return(rsa);
        }
    }

    private static string Describe(SignatureScheme scheme, string problem) =>
        SignatureSchemeParser.ToName(scheme) + ": " + problem;

    /// <summary>The raw JSON text of the last signature and url that matched under the url scheme.</summary>
    private sealed class UrlMatch
    {
        private readonly byte[] _signature;
        private readonly byte[] _url;

        public UrlMatch(AuthData authData)
        {
            _signature = JsonMarshal.GetRawUtf8Value(authData.Signature).ToArray();
            _url = JsonMarshal.GetRawUtf8Value(authData.Url).ToArray();
        }

        public bool Matches(AuthData authData) =>
            authData.Signature.ValueKind == JsonValueKind.String
            && JsonMarshal.GetRawUtf8Value(authData.Signature).SequenceEqual(_signature)
            && JsonMarshal.GetRawUtf8Value(authData.Url).SequenceEqual(_url);
    }

    /// <summary>The message hash of each scheme, built on first use (a stack value: no closure per request).</summary>
    private struct MessageHashes
    {
        private readonly AuthData _authData;
        private readonly SignatureScheme[] _schemes;
        private byte[]? _first;
        private byte[]? _second;
        private int _built;

        public MessageHashes(AuthData authData, SignatureScheme[] schemes)
        {
            _authData = authData;
            _schemes = schemes;
        }

        public byte[]? Get(int index)
        {
            if ((_built & (1 << index)) == 0)
            {
                _built |= 1 << index;
                byte[]? hash;
                try
                {
                    hash = SHA256.HashData(SignedMessages.For(_authData, _schemes[index]));
                }
                catch (FormatException)
                {
                    // A message that cannot be built fails that scheme only.
                    hash = null;
                }

                if (index == 0)
                {
                    _first = hash;
                }
                else
                {
                    _second = hash;
                }
            }

            return index == 0 ? _first : _second;
        }
    }
}
