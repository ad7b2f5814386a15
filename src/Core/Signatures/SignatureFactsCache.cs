using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Vespa.Core.Signatures;

/// <summary>
/// Remembers <see cref="SignatureFacts"/> per distinct signature (by its SHA-256), valid and forged alike, so a
/// signature costs RSA work once: the url-only signature repeats on every request to a worker, and a flood of one
/// forged signature is refused by a lookup. Bounded: two generations of at most <see cref="GenerationCapacity"/>
/// entries; when the current one is full it becomes the previous one and the oldest is dropped, so memory stays flat
/// (about 0.5 MB) whatever callers send, and recently seen signatures survive a flood of new ones for a while.
/// </summary>
internal sealed class SignatureFactsCache
{
    /// <summary>Signatures remembered per generation.</summary>
    public const int GenerationCapacity = 2048;

    private readonly Lock _rotation = new();
    private volatile ConcurrentDictionary<Digest, SignatureFacts> _current = new();
    private volatile ConcurrentDictionary<Digest, SignatureFacts> _previous = new();

    /// <summary>Entries held now (both generations).</summary>
    public int Count => _current.Count + _previous.Count;

    public static Digest Key(ReadOnlySpan<byte> signature)
    {
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(signature, digest);
        return new Digest(
            BitConverter.ToUInt64(digest[..8]),
            BitConverter.ToUInt64(digest[8..16]),
            BitConverter.ToUInt64(digest[16..24]),
            BitConverter.ToUInt64(digest[24..]));
    }

    public SignatureFacts? Find(Digest key)
    {
        if (_current.TryGetValue(key, out var facts))
        {
            return facts;
        }

        if (_previous.TryGetValue(key, out facts))
        {
            // Still in use: keep it in the current generation.
            Add(key, facts);
            return facts;
        }

        return null;
    }

    public void Add(Digest key, SignatureFacts facts)
    {
        var current = _current;
        if (current.Count >= GenerationCapacity)
        {
            lock (_rotation)
            {
                if (ReferenceEquals(current, _current))
                {
                    _previous = current;
                    _current = new ConcurrentDictionary<Digest, SignatureFacts>();
                }
            }
        }

        _current[key] = facts;
    }

    /// <summary>A SHA-256 value as four words.</summary>
    internal readonly record struct Digest(ulong A, ulong B, ulong C, ulong D);
}
