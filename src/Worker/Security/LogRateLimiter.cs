namespace Vespa.Worker.Security;

/// <summary>
/// Lets one log line through per interval and counts the ones held back, so a flood of forged
/// requests cannot turn into a flood of log lines (disk, CPU, and the line that matters scrolled
/// away). Thread-safe; time comes from the injected <see cref="TimeProvider"/>.
/// </summary>
internal sealed class LogRateLimiter
{
    private readonly TimeProvider _time;
    private readonly long _intervalTicks;
    private long _nextAllowed = long.MinValue;
    private long _suppressed;

    public LogRateLimiter(TimeProvider time, TimeSpan interval)
    {
        _time = time;
        _intervalTicks = (long)(interval.TotalSeconds * time.TimestampFrequency);
    }

    /// <summary>Whether to log now; when so, <paramref name="suppressed"/> is how many were held back since the last line.</summary>
    public bool TryAcquire(out long suppressed)
    {
        var now = _time.GetTimestamp();
        var next = Interlocked.Read(ref _nextAllowed);
        if (now >= next && Interlocked.CompareExchange(ref _nextAllowed, now + _intervalTicks, next) == next)
        {
            suppressed = Interlocked.Exchange(ref _suppressed, 0);
            return true;
        }

        Interlocked.Increment(ref _suppressed);
        suppressed = 0;
        return false;
    }
}
