using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using BcBigInteger = Org.BouncyCastle.Math.BigInteger;

namespace Vespa.Core.Tests.Signatures;

/// <summary>BouncyCastle's PKCS#1 v1.5 / SHA-256 as an independent second implementation.</summary>
internal static class BouncyCastleRsa
{
    public static bool Verify(RSAParameters key, byte[] message, byte[] signature)
    {
        var signer = new RsaDigestSigner(new Sha256Digest());
        signer.Init(false, new RsaKeyParameters(false, new BcBigInteger(1, key.Modulus), new BcBigInteger(1, key.Exponent)));
        signer.BlockUpdate(message, 0, message.Length);
        return signer.VerifySignature(signature);
    }

    public static byte[] Sign(RSAParameters key, byte[] message)
    {
        var signer = new RsaDigestSigner(new Sha256Digest());
        signer.Init(true, new RsaKeyParameters(true, new BcBigInteger(1, key.Modulus), new BcBigInteger(1, key.D)));
        signer.BlockUpdate(message, 0, message.Length);
        return signer.GenerateSignature();
    }
}
