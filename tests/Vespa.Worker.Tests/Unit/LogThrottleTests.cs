using Microsoft.Extensions.Time.Testing;
using Vespa.Worker.Diagnostics;

namespace Vespa.Worker.Tests.Unit;

public sealed class LogThrottleTests
{
    [Fact]
    public void OnePerPeriod_CountsTheSuppressed()
    {
        var time = new FakeTimeProvider();
        var throttle = new LogThrottle(time, TimeSpan.FromMinutes(1));

        Assert.True(throttle.TryEnter(out var suppressed));
        Assert.Equal(0, suppressed);
        for (var i = 0; i < 1000; i++)
        {
            Assert.False(throttle.TryEnter(out _));
        }

        time.Advance(TimeSpan.FromSeconds(59));
        Assert.False(throttle.TryEnter(out _));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(throttle.TryEnter(out suppressed));
        Assert.Equal(1001, suppressed);
    }
}
