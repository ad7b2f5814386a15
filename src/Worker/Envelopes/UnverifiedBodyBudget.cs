namespace Vespa.Worker.Envelopes;

/// <summary>
/// The bytes of request bodies the worker holds, all requests together, before their signature has
/// been verified (<c>VESPA_UNVERIFIED_BODY_BUDGET</c>). Anyone can open connections and send bodies;
/// without a bound a few hundred of them could make the worker commit gigabytes before it knows
/// whether any is signed (issue 9, finding 2). A reservation that would go beyond the limit fails
/// and the request gets 503 with <c>Retry-After</c>; verified requests give their share back at
/// once, so signed traffic is never starved by memory that forged traffic holds for long.
/// </summary>
internal sealed class UnverifiedBodyBudget
{
    private long _inUse;

    public UnverifiedBodyBudget(long limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        Limit = limit;
    }

    public long Limit { get; }

    /// <summary>Bytes reserved now.</summary>
    public long InUse => Interlocked.Read(ref _inUse);

    public bool TryReserve(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        var current = Interlocked.Read(ref _inUse);
        while (true)
        {
            if (current + bytes > Limit)
            {
                return false;
            }

            var seen = Interlocked.CompareExchange(ref _inUse, current + bytes, current);
            if (seen == current)
            {
                return true;
            }

            current = seen;
        }
    }

    public void Release(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        Interlocked.Add(ref _inUse, -bytes);
    }
}
