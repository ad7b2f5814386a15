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
/// byte was trimmed is rejected).</item>
/// <item>The platform's <see cref="RSA.VerifyHash(byte[], byte[], HashAlgorithmName, RSASignaturePadding)"/> checks the
/// usual encoding. If it says no, a by-hand RSAVP1 accepts the DigestInfo without the NULL parameter as well, as
/// pycryptodome does (<see cref="Pkcs1Sha256"/>).</item>
/// <item><see cref="SignatureScheme.Auto"/> tries the url-only message, then the legacy five-field message.</item>
/// <item>Pairs that verified are remembered (<see cref="VerifiedSignatureCache"/>): the url-only signature repeats on
/// every request to a worker, so the RSA operation runs once per distinct signature, not once per request.</item>
/// </list>
/// </remarks>
public sealed class EnvelopeVerifier : IDisposable
{
    private readonly RsaInstancePool _pool;
    private readonly BigInteger _modulus;
    private readonly BigInteger _exponent;
    private readonly VerifiedSignatureCache _verified = new();

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
        ReadOnlySpan<SignatureScheme> schemes = scheme switch
        {
            SignatureScheme.Url => [SignatureScheme.Url],
            SignatureScheme.Legacy => [SignatureScheme.Legacy],
            SignatureScheme.Auto => [SignatureScheme.Url, SignatureScheme.Legacy],
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

        byte[]? recovered = null;
        foreach (var s in schemes)
        {
            byte[] message;
            try
            {
                message = SignedMessages.For(authData, s);
            }
            catch (FormatException)
            {
                failures.Add(Describe(s, "the signed message cannot be built (a string is not valid UTF-8)"));
                continue;
            }

            if (VerifyMessage(message, signature, ref recovered))
            {
                return new SignatureVerification(s, failures);
            }

            failures.Add(Describe(s, "signature does not match"));
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

        byte[]? recovered = null;
        return VerifyMessage(message, signature.ToArray(), ref recovered);
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

    private bool VerifyMessage(ReadOnlySpan<byte> message, byte[] signature, ref byte[]? recovered)
    {
        var key = VerifiedSignatureCache.Key(message, signature);
        if (_verified.Contains(key))
        {
            return true;
        }

        if (VerifyUncached(message, signature, ref recovered))
        {
            _verified.Add(key);
            return true;
        }

        return false;
    }

    private bool VerifyUncached(ReadOnlySpan<byte> message, byte[] signature, ref byte[]? recovered)
    {
        var hash = SHA256.HashData(message);
        var rsa = _pool.Rent();
        try
        {
            if (rsa.VerifyHash(hash, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
            {
                return true;
            }
        }
        catch (CryptographicException)
        {
            // Treated as "does not match"; the manual check below decides.
        }
        finally
        {
            _pool.Return(rsa);
        }

        // s^e mod n does not depend on the message, so Auto computes it once for both schemes.
        recovered ??= Pkcs1Sha256.RecoverEncodedMessage(signature, _modulus, _exponent, ModulusLength) ?? [];
        return recovered.Length > 0 && Pkcs1Sha256.MatchesEitherDigestInfo(recovered, hash);
    }

    private static string Describe(SignatureScheme scheme, string problem) =>
        SignatureSchemeParser.ToName(scheme) + ": " + problem;
}
