using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace Vespa.Worker.Tests.Infrastructure;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that reports every timer created on it (after it exists), so a test can wait for
/// the pause a component is about to take and then advance exactly past it: deterministic back-off tests, no race
/// between "the attempt happened" and "the next delay is armed".
/// </summary>
internal sealed class RecordingTimeProvider : TimeProvider
{
    private readonly Channel<TimeSpan> _created = Channel.CreateUnbounded<TimeSpan>();

    public RecordingTimeProvider(DateTimeOffset start)
    {
        Fake = new FakeTimeProvider(start);
    }

    public FakeTimeProvider Fake { get; }

    public override long TimestampFrequency => Fake.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => Fake.LocalTimeZone;

    public override DateTimeOffset GetUtcNow() => Fake.GetUtcNow();

    public override long GetTimestamp() => Fake.GetTimestamp();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = Fake.CreateTimer(callback, state, dueTime, period);
        _created.Writer.TryWrite(dueTime);
        return timer;
    }

    /// <summary>The due time of the next timer created that <paramref name="match"/> accepts (others are skipped).</summary>
    public async Task<TimeSpan> NextTimerAsync(Func<TimeSpan, bool> match)
    {
        using var timeout = new CancellationTokenSource(Vespa.Testing.TaskTimeoutExtensions.Timeout);
        while (true)
        {
            var due = await _created.Reader.ReadAsync(timeout.Token);
            if (match(due))
            {
                return due;
            }
        }
    }
}
