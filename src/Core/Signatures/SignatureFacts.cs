namespace Vespa.Core.Signatures;

/// <summary>
/// Everything one signature can prove under one key: RSAVP1 maps it to exactly one encoded block, and that block
/// is a PKCS#1 v1.5 SHA-256 encoding of at most one hash per DigestInfo form. Once known, any message is checked
/// against the signature by hashing it and comparing, without another RSA operation, valid or not.
/// </summary>
internal sealed class SignatureFacts
{
    /// <summary>A signature that proves nothing (not below the modulus, or not a PKCS#1 v1.5 SHA-256 block).</summary>
    public static readonly SignatureFacts None = new(null, null);

    public SignatureFacts(byte[]? hashWithNull, byte[]? hashWithoutNull)
    {
        HashWithNull = hashWithNull;
        HashWithoutNull = hashWithoutNull;
    }

    /// <summary>The SHA-256 the signature vouches for in the usual DigestInfo (with the NULL parameter), if any.</summary>
    public byte[]? HashWithNull { get; }

    /// <summary>The SHA-256 it vouches for in the DigestInfo without the parameter (pycryptodome accepts it), if any.</summary>
    public byte[]? HashWithoutNull { get; }

    public bool Covers(ReadOnlySpan<byte> hash) =>
        (HashWithNull is not null && hash.SequenceEqual(HashWithNull))
        || (HashWithoutNull is not null && hash.SequenceEqual(HashWithoutNull));
}
