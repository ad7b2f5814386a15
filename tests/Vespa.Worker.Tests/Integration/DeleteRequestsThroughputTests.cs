using Microsoft.Extensions.Time.Testing;
using Vespa.Testing;
using Vespa.Worker.Admission;
using Vespa.Worker.Tests.Infrastructure;

namespace Vespa.Worker.Tests.Integration;

/// <summary>
/// Issue 9 finding 11: <c>/delete_requests/</c> keeps up with a sustained 5,000 finished requests per second for
/// 10 s, with nothing dropped or duplicated. The clock is fake, so the 10 s are 10 deterministic ticks (about a
/// second of real time): requests finish straight into the worker's tracker at that rate (half before each tick and
/// half while the tick's posts are in flight), and the real reporter posts them to the emulator over loopback.
/// </summary>
public sealed class DeleteRequestsThroughputTests
{
    private const int PerSecond = 5_000;
    private const int Seconds = 10;

    [Fact]
    public async Task FiveThousandPerSecondForTenSeconds_AllReportedOnce_NoBacklog()
    {
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_754_500_000));
        await using var h = await ReportingHarness.StartAsync(time, settings: [("VESPA_DELETE_REQUESTS_INTERVAL", "1"), ("VESPA_METRICS_UPDATE_INTERVAL", "1")]);
        var tracker = h.Worker.Load;
        var expected = new Dictionary<long, string>();
        long next = 1_000_000;

        void Finish(int count)
        {
            for (var i = 0; i < count; i++)
            {
                var idx = next++;
                var status = (idx % 4) switch { 0 => RequestStatus.Success, 1 => RequestStatus.Error, 2 => RequestStatus.Cancelled, _ => RequestStatus.Rejected };
                if (status == RequestStatus.Rejected)
                {
                    tracker.Reject(idx, idx, 1);
                }
                else
                {
                    var record = tracker.TryAdmit(idx, idx, 1, maxThroughput: 1e9, maxWaitSeconds: 1e9).Record!;
                    tracker.Complete(record, status);
                }

                expected[idx] = status.ToString();
            }
        }

        for (var second = 1; second <= Seconds; second++)
        {
            Finish(PerSecond / 2);
            var dueThisTick = expected.Count;
            time.Advance(TimeSpan.FromSeconds(1)); // the tick: everything finished so far goes out now...
            Finish(PerSecond / 2);                // ...while the next half finishes during its posts
            await TaskTimeoutExtensions.WaitUntilAsync(() => Delivered(h) >= dueThisTick, $"second {second}: the {dueThisTick} records finished before its tick");
        }

        time.Advance(TimeSpan.FromSeconds(1));
        await TaskTimeoutExtensions.WaitUntilAsync(() => Delivered(h) >= PerSecond * Seconds, "every record");
        await TaskTimeoutExtensions.WaitUntilAsync(() => tracker.PendingFinishedRecords == 0, "an empty queue");

        var delivered = h.Emulator.DeleteReports.SelectMany(r => r.Requests).ToList();
        Assert.Equal(PerSecond * Seconds, delivered.Count); // nothing duplicated
        Assert.Equal(expected.Count, delivered.Select(d => d.RequestIdx).Distinct().Count()); // nothing dropped
        Assert.All(delivered, d => Assert.Equal(expected[d.RequestIdx], d.Status));
        Assert.Equal(0, tracker.DroppedFinishedRecords);
        Assert.All(h.Emulator.DeleteReports, r => Assert.InRange(r.Requests.Count, 1, Vespa.Worker.Reporting.DeleteRequestsReporter.BatchSize));
    }

    private static int Delivered(ReportingHarness h) => h.Emulator.DeleteReports.Sum(r => r.Requests.Count);
}
