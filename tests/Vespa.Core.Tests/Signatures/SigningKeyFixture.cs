using System.Numerics;
using System.Security.Cryptography;
using Vespa.Core.Signatures;

namespace Vespa.Core.Tests.Signatures;

/// <summary>One RSA key pair per test class (key generation is the slow part).</summary>
public sealed class SigningKeyFixture : IDisposable
{
    public SigningKeyFixture()
    {
        Key = RSA.Create(2048);
        PrivateParameters = Key.ExportParameters(includePrivateParameters: true);
        Signer = new EnvelopeSigner(Key);
        Verifier = new EnvelopeVerifier(Key);
    }

    public RSA Key { get; }

    public RSAParameters PrivateParameters { get; }

    public EnvelopeSigner Signer { get; }

    public EnvelopeVerifier Verifier { get; }

    public int ModulusLength => PrivateParameters.Modulus!.Length;

    /// <summary>Raw RSA signing primitive (RSASP1, s = m^d mod n) over a ready-made encoded message.</summary>
    public byte[] RawSign(byte[] encodedMessage)
    {
        var n = new BigInteger(PrivateParameters.Modulus, isUnsigned: true, isBigEndian: true);
        var d = new BigInteger(PrivateParameters.D, isUnsigned: true, isBigEndian: true);
        var m = new BigInteger(encodedMessage, isUnsigned: true, isBigEndian: true);
        var s = BigInteger.ModPow(m, d, n);
        var signature = new byte[ModulusLength];
        var length = s.GetByteCount(isUnsigned: true);
        s.TryWriteBytes(signature.AsSpan(ModulusLength - length), out _, isUnsigned: true, isBigEndian: true);
        return signature;
    }

    public void Dispose()
    {
        Verifier.Dispose();
        Signer.Dispose();
        Key.Dispose();
    }
}
