using System.Numerics;
using System.Security.Cryptography;

namespace Vespa.Core.Signatures;

/// <summary>
/// RSASSA-PKCS1-v1_5 with SHA-256 done by hand (RFC 8017 §8.2.2, RSAVP1 + EMSA-PKCS1-v1_5), used where the platform
/// verifier is stricter than pycryptodome: pycryptodome's <c>pkcs1_15</c> accepts the SHA-256 DigestInfo both with
/// and without the ASN.1 NULL parameter (RFC 8017 §9.2 note 2), the platform only with it.
/// </summary>
internal static class Pkcs1Sha256
{
    /// <summary>DigestInfo prefix for SHA-256 with the NULL parameter (the usual encoding).</summary>
    public static ReadOnlySpan<byte> PrefixWithNull =>
    [
        0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20,
    ];

    /// <summary>DigestInfo prefix for SHA-256 without the parameter.</summary>
    public static ReadOnlySpan<byte> PrefixWithoutNull =>
    [
        0x30, 0x2f, 0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x04, 0x20,
    ];

    /// <summary>RSAVP1: <c>m = s^e mod n</c> as a <paramref name="modulusLength"/>-byte big-endian string, or
    /// <c>null</c> when the signature is not below the modulus.</summary>
    public static byte[]? RecoverEncodedMessage(ReadOnlySpan<byte> signature, BigInteger modulus, BigInteger exponent, int modulusLength)
    {
        var s = new BigInteger(signature, isUnsigned: true, isBigEndian: true);
        if (s >= modulus)
        {
            return null;
        }

        var m = BigInteger.ModPow(s, exponent, modulus);
        var encoded = new byte[modulusLength];
        var length = m.GetByteCount(isUnsigned: true);
        if (!m.TryWriteBytes(encoded.AsSpan(modulusLength - length), out _, isUnsigned: true, isBigEndian: true))
        {
            return null;
        }

        return encoded;
    }

    /// <summary>What a recovered block proves: the hash it encodes in each DigestInfo form (at most one of them can
    /// hold, since the forms differ in length).</summary>
    public static SignatureFacts Facts(ReadOnlySpan<byte> encoded) =>
        new(ExtractHash(encoded, PrefixWithNull), ExtractHash(encoded, PrefixWithoutNull));

    /// <summary>Whether <paramref name="encoded"/> is EMSA-PKCS1-v1_5 of <paramref name="hash"/> with either
    /// DigestInfo form.</summary>
    public static bool MatchesEitherDigestInfo(ReadOnlySpan<byte> encoded, ReadOnlySpan<byte> hash) =>
        Facts(encoded).Covers(hash);

    /// <summary>EMSA-PKCS1-v1_5: <c>00 01 FF…FF 00 || prefix || hash</c>, <paramref name="modulusLength"/> bytes.</summary>
    public static byte[] Encode(ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> hash, int modulusLength)
    {
        var tLength = prefix.Length + hash.Length;
        if (modulusLength < tLength + 11)
        {
            throw new CryptographicException("The RSA modulus is too short for a SHA-256 PKCS#1 v1.5 signature.");
        }

        var encoded = new byte[modulusLength];
        encoded[1] = 0x01;
        encoded.AsSpan(2, modulusLength - tLength - 3).Fill(0xFF);
        prefix.CopyTo(encoded.AsSpan(modulusLength - tLength));
        hash.CopyTo(encoded.AsSpan(modulusLength - hash.Length));
        return encoded;
    }

    /// <summary>The 32-byte hash of <c>00 01 FF…FF 00 || prefix || hash</c>, or <c>null</c> when
    /// <paramref name="encoded"/> is not that shape (at least 8 bytes of 0xFF, RFC 8017 §9.2).</summary>
    private static byte[]? ExtractHash(ReadOnlySpan<byte> encoded, ReadOnlySpan<byte> prefix)
    {
        const int HashLength = 32;
        var tLength = prefix.Length + HashLength;
        var k = encoded.Length;
        if (k < tLength + 11 || encoded[0] != 0x00 || encoded[1] != 0x01 || encoded[k - tLength - 1] != 0x00)
        {
            return null;
        }

        // Public data only (a signature check), so a constant-time comparison is not needed.
        if (encoded[2..(k - tLength - 1)].IndexOfAnyExcept((byte)0xFF) >= 0 || !encoded.Slice(k - tLength, prefix.Length).SequenceEqual(prefix))
        {
            return null;
        }

        return encoded[(k - HashLength)..].ToArray();
    }
}
