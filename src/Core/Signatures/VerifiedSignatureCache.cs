using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Vespa.Core.Signatures;

/// <summary>
/// Remembers (message, signature) pairs that already verified under one key. PKCS#1 v1.5 is
/// deterministic and the url-only message is the same for every request to a worker, so every
/// legitimate request carries the same signature: remembering it turns a ~70 µs RSA check into a
/// SHA-256 and a lookup. Sound because a hit means these exact bytes verified before with this key
/// (the entry is a SHA-256 over both, so a collision is out of reach). Bounded: when full it is
/// emptied, so memory stays flat whatever callers send. Only successes are stored.
/// </summary>
internal sealed class VerifiedSignatureCache
{
    /// <summary>Distinct valid signatures remembered at most (a worker normally sees one per url).</summary>
    public const int Capacity = 1024;

    private readonly ConcurrentDictionary<Digest, byte> _verified = new();

    public static Digest Key(ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> length = stackalloc byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(length, message.Length);
        hash.AppendData(length);
        hash.AppendData(message);
        hash.AppendData(signature);
        Span<byte> digest = stackalloc byte[32];
        hash.GetHashAndReset(digest);
        return new Digest(
            BitConverter.ToUInt64(digest[..8]),
            BitConverter.ToUInt64(digest[8..16]),
            BitConverter.ToUInt64(digest[16..24]),
            BitConverter.ToUInt64(digest[24..]));
    }

    public bool Contains(Digest key) => _verified.ContainsKey(key);

    public void Add(Digest key)
    {
        if (_verified.Count >= Capacity)
        {
            _verified.Clear();
        }

        _verified.TryAdd(key, 0);
    }

    /// <summary>A SHA-256 value as four words.</summary>
    internal readonly record struct Digest(ulong A, ulong B, ulong C, ulong D);
}
