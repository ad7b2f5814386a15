namespace Vespa.Worker.Diagnostics;

/// <summary>
/// Lets a repeated warning through at most once per <see cref="Period"/> (on the injected clock) and counts what it
/// held back, so a caller who can repeat a request at will cannot flood the log; the next line that passes says how
/// many were suppressed. Thread-safe and lock-free.
/// </summary>
internal sealed class LogThrottle
{
    private readonly TimeProvider _time;
    private readonly long _periodTicks;
    private long _nextAllowed = long.MinValue;
    private long _suppressed;

    public LogThrottle(TimeProvider time, TimeSpan period)
    {
        _time = time;
        Period = period;
        _periodTicks = (long)(period.TotalSeconds * time.TimestampFrequency);
    }

    public TimeSpan Period { get; }

    /// <summary>True when this occurrence should be logged; <paramref name="suppressed"/> is how many were held back since the last one.</summary>
    public bool TryEnter(out long suppressed)
    {
        var now = _time.GetTimestamp();
        var next = Interlocked.Read(ref _nextAllowed);
        if (now >= next && Interlocked.CompareExchange(ref _nextAllowed, now + _periodTicks, next) == next)
        {
            suppressed = Interlocked.Exchange(ref _suppressed, 0);
            return true;
        }

        Interlocked.Increment(ref _suppressed);
        suppressed = 0;
        return false;
    }
}
