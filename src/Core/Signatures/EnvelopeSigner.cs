using System.Security.Cryptography;
using Vespa.Core.Envelopes;

namespace Vespa.Core.Signatures;

/// <summary>
/// Signs auth data the way the autoscaler does (RSASSA-PKCS1-v1_5, SHA-256, standard base64), for the local
/// autoscaler emulator and for tests. Thread-safe.
/// </summary>
public sealed class EnvelopeSigner : IDisposable
{
    private readonly RSA _key;
    private readonly bool _ownsKey;
    private readonly Lock _lock = new();

    /// <summary>Signs with <paramref name="privateKey"/>, which stays owned by the caller.</summary>
    public EnvelopeSigner(RSA privateKey)
        : this(privateKey, ownsKey: false)
    {
    }

    private EnvelopeSigner(RSA key, bool ownsKey)
    {
        ArgumentNullException.ThrowIfNull(key);
        _key = key;
        _ownsKey = ownsKey;
    }

    /// <summary>The key size in bits.</summary>
    public int KeySizeInBits => _key.KeySize;

    /// <summary>A signer with a fresh key pair.</summary>
    public static EnvelopeSigner Create(int keySizeInBits = 2048) => new(RSA.Create(keySizeInBits), ownsKey: true);

    /// <summary>A signer for a PEM private key (<c>PRIVATE KEY</c>, PKCS#8, or <c>RSA PRIVATE KEY</c>, PKCS#1).</summary>
    /// <exception cref="ArgumentException">The text holds no unencrypted RSA private key.</exception>
    public static EnvelopeSigner FromPrivateKeyPem(string privateKeyPem)
    {
        ArgumentNullException.ThrowIfNull(privateKeyPem);
        var remaining = privateKeyPem.AsSpan();
        while (PemEncoding.TryFind(remaining, out var fields))
        {
            var label = remaining[fields.Label];
            var isPkcs8 = label.SequenceEqual("PRIVATE KEY");
            if (isPkcs8 || label.SequenceEqual("RSA PRIVATE KEY"))
            {
                var der = Convert.FromBase64String(remaining[fields.Base64Data].ToString());
                var rsa = RSA.Create();
                try
                {
                    if (isPkcs8)
                    {
                        rsa.ImportPkcs8PrivateKey(der, out _);
                    }
                    else
                    {
                        rsa.ImportRSAPrivateKey(der, out _);
                    }

                    return new EnvelopeSigner(rsa, ownsKey: true);
                }
                catch (CryptographicException e)
                {
                    rsa.Dispose();
                    throw new ArgumentException("The PEM private key is not an RSA key.", nameof(privateKeyPem), e);
                }
            }

            remaining = remaining[fields.Location.End..];
        }

        throw new ArgumentException("Expected a PEM 'PRIVATE KEY' or 'RSA PRIVATE KEY' block.", nameof(privateKeyPem));
    }

    /// <summary>Signs <paramref name="message"/>; returns the signature in standard base64 (<c>+/</c>, padded).</summary>
    public string Sign(ReadOnlySpan<byte> message) => Convert.ToBase64String(SignToBytes(message));

    /// <summary>Signs <paramref name="message"/>; returns the raw signature (the modulus length).</summary>
    public byte[] SignToBytes(ReadOnlySpan<byte> message)
    {
        var hash = SHA256.HashData(message);
        lock (_lock)
        {
            return _key.SignHash(hash, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        }
    }

    /// <summary>Signs the message of <paramref name="scheme"/> built from <paramref name="authData"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="scheme"/> is <see cref="SignatureScheme.Auto"/>.</exception>
    public string Sign(AuthData authData, SignatureScheme scheme) => Sign(SignedMessages.For(authData, scheme));

    /// <summary>A copy of <paramref name="authData"/> carrying a signature for <paramref name="scheme"/>.</summary>
    public AuthData SignAuthData(AuthData authData, SignatureScheme scheme) => authData.WithSignature(Sign(authData, scheme));

    /// <summary>Signed auth data as the autoscaler's <c>/route/</c> answer carries it (cost as a float).</summary>
    public AuthData CreateSignedAuthData(double cost, string endpoint, long reqnum, long requestIdx, string url, SignatureScheme scheme) =>
        SignAuthData(AuthData.Create(cost, endpoint, reqnum, requestIdx, string.Empty, url), scheme);

    /// <summary><see cref="CreateSignedAuthData"/> as a compact JSON <c>auth_data</c> object.</summary>
    public string CreateSignedAuthDataJson(double cost, string endpoint, long reqnum, long requestIdx, string url, SignatureScheme scheme) =>
        CreateSignedAuthData(cost, endpoint, reqnum, requestIdx, url, scheme).ToJson();

    /// <summary>The public key as PEM <c>PUBLIC KEY</c> (SubjectPublicKeyInfo), what a <c>/pubkey/</c> endpoint serves.</summary>
    public string ExportPublicKeyPem()
    {
        lock (_lock)
        {
            return _key.ExportSubjectPublicKeyInfoPem();
        }
    }

    /// <summary>The private key as PEM <c>PRIVATE KEY</c> (PKCS#8), to persist an emulator's key.</summary>
    public string ExportPrivateKeyPem()
    {
        lock (_lock)
        {
            return _key.ExportPkcs8PrivateKeyPem();
        }
    }

    /// <summary>A verifier for this signer's public key.</summary>
    public EnvelopeVerifier CreateVerifier()
    {
        lock (_lock)
        {
            return new EnvelopeVerifier(_key);
        }
    }

    public void Dispose()
    {
        if (_ownsKey)
        {
            _key.Dispose();
        }
    }
}
