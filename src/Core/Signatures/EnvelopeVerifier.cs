using System.Numerics;
using System.Security.Cryptography;
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

    private readonly RsaInstancePool _pool;
    private readonly BigInteger _modulus;
    private readonly BigInteger _exponent;
    private readonly SignatureFactsCache _facts = new();
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
        ModulusLength = modulus.AsSpan().TrimStart((byte)0).Length;
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

        var failures = new List<string>(schemes.Length);
        var problem = DecodeSignature(authData, out var signature);
        if (problem is not null)
        {
            foreach (var s in schemes)
            {
                failures.Add(Describe(s, problem));
            }

            return new SignatureVerification(null, failures);
        }

        // Step 1: what the signature proves: remembered, or established with the least RSA work. Message hashes are
        // computed only when needed (a cached url signature never builds the legacy message).
        var hashes = new byte[]?[schemes.Length];
        var built = new bool[schemes.Length];
        byte[]? HashOf(int i)
        {
            if (!built[i])
            {
                built[i] = true;
                try
                {
                    hashes[i] = SHA256.HashData(SignedMessages.For(authData, schemes[i]));
                }
                catch (FormatException)
                {
                    // A message that cannot be built fails that scheme only.
                    hashes[i] = null;
                }
            }

            return hashes[i];
        }

        var facts = FactsFor(signature, () =>
        {
            var preferred = Array.IndexOf(schemes, (SignatureScheme)Volatile.Read(ref _preferred));
            if (preferred >= 0 && HashOf(preferred) is { } hash)
            {
                return hash;
            }

            for (var i = 0; i < schemes.Length; i++)
            {
                if (HashOf(i) is { } other)
                {
                    return other;
                }
            }

            return null;
        });

        // Step 2: the first scheme (in the documented order) whose message the signature covers.
        for (var i = 0; i < schemes.Length; i++)
        {
            if (HashOf(i) is not { } hash)
            {
                failures.Add(Describe(schemes[i], "the signed message cannot be built (a string is not valid UTF-8)"));
            }
            else if (facts.Covers(hash))
            {
                Volatile.Write(ref _preferred, (int)schemes[i]);
                return new SignatureVerification(schemes[i], failures);
            }
            else
            {
                failures.Add(Describe(schemes[i], "signature does not match"));
            }
        }

        return new SignatureVerification(null, failures);
    }

    /// <summary>Checks a raw signature over <paramref name="message"/> (no base64, exact length required).</summary>
    public bool VerifyMessage(ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        if (signature.Length != ModulusLength)
        {
            return false;
        }

        var hash = SHA256.HashData(message);
        return FactsFor(signature.ToArray(), () => hash).Covers(hash);
    }

    public void Dispose() => _pool.Dispose();

    private string? DecodeSignature(AuthData authData, out byte[] signature)
    {
        signature = [];
        var text = authData.SignatureText;
        if (text is null)
        {
            return "signature is not a string";
        }

        if (!PythonBase64.TryDecode(text, out signature))
        {
            return "signature is not valid base64";
        }

        return signature.Length == ModulusLength
            ? null
            : $"signature is {signature.Length} bytes, the key needs {ModulusLength}";
    }

    /// <param name="signature">The decoded signature (modulus length).</param>
    /// <param name="preferredHash">The hash to try natively if the signature is new; <c>null</c> when no message can be built.</param>
    private SignatureFacts FactsFor(byte[] signature, Func<byte[]?> preferredHash)
    {
        var key = SignatureFactsCache.Key(signature);
        if (_facts.Find(key) is { } known)
        {
            return known;
        }

        if (preferredHash() is not { } hash)
        {
            // Nothing to check against: not worth an RSA operation, nor a cache entry.
            return SignatureFacts.None;
        }

        var facts = Establish(signature, hash);
        _facts.Add(key, facts);
        return facts;
    }

    private SignatureFacts Establish(byte[] signature, byte[] hash)
    {
        // Not below the modulus: no RSA operation can make it valid (pycryptodome refuses it too).
        var s = new BigInteger(signature, isUnsigned: true, isBigEndian: true);
        if (s >= _modulus)
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
}
