using Microsoft.Extensions.Time.Testing;
using Vespa.Worker.Admission;

namespace Vespa.Worker.Tests.Unit;

public sealed class LoadTrackerTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.FromUnixTimeSeconds(1_754_500_000));

    [Fact]
    public void TryAdmit_WaitEstimateFromWorkloadAtWorkOverThroughput_RejectsAboveMaxWait()
    {
        var tracker = new LoadTracker(_time);

        // Throughput 10/s, max wait 2 s: 20 units at work is exactly the limit, more is rejected.
        var first = tracker.TryAdmit(1, 1, 20, maxThroughput: 10, maxWaitSeconds: 2);
        var second = tracker.TryAdmit(2, 2, 5, maxThroughput: 10, maxWaitSeconds: 2);
        var third = tracker.TryAdmit(3, 3, 5, maxThroughput: 10, maxWaitSeconds: 2);

        Assert.True(first.Admitted);
        Assert.Equal(0, first.EstimatedWaitSeconds);
        Assert.True(second.Admitted); // 20 / 10 = 2 s, not above 2
        Assert.False(third.Admitted); // 25 / 10 = 2.5 s
        Assert.Equal(2.5, third.EstimatedWaitSeconds, 6);
        var snapshot = tracker.Snapshot();
        Assert.Equal(25, snapshot.CurrentLoad);
        Assert.Equal(25, snapshot.Received);
        Assert.Equal(5, snapshot.Rejected);
        Assert.Equal([1L, 2L], snapshot.WorkingRequestIdxs.Order());
        Assert.Equal(3, snapshot.DistinctRequests);
    }

    [Fact]
    public void Complete_CountsByOutcomeAndQueuesFinishedRecords()
    {
        var tracker = new LoadTracker(_time);
        var ok = tracker.TryAdmit(1, 1, 10, 100, 10).Record!;
        var failed = tracker.TryAdmit(2, 2, 20, 100, 10).Record!;
        var cancelled = tracker.TryAdmit(3, 3, 30, 100, 10).Record!;
        tracker.MarkStarted(ok);
        _time.Advance(TimeSpan.FromSeconds(2));

        tracker.Complete(ok, RequestStatus.Success);
        tracker.Complete(failed, RequestStatus.Error);
        tracker.Complete(cancelled, RequestStatus.Cancelled);
        tracker.Complete(ok, RequestStatus.Success); // a second completion is ignored

        var snapshot = tracker.Snapshot();
        Assert.Equal(10, snapshot.Served);
        Assert.Equal(20, snapshot.Errored);
        Assert.Equal(30, snapshot.Cancelled);
        Assert.Equal(0, snapshot.CurrentLoad);
        Assert.Equal(0, snapshot.WorkingCount);
        var finished = tracker.PeekFinished(10);
        Assert.Equal([1L, 2L, 3L], finished.Select(r => r.RequestIdx!.Value));
        Assert.Equal([true, false, true], finished.Select(r => r.Success)); // cancel reports success, as the SDK
        Assert.Equal(1_754_500_002, ok.WorkCompletedAt);
        Assert.Equal(1_754_500_000, ok.WorkStartedAt);
        Assert.Equal(0, cancelled.WorkCompletedAt);
    }

    [Fact]
    public void RemoveFinished_RemovesExactlyTheSentRecordsWherever()
    {
        var tracker = new LoadTracker(_time);
        var records = Enumerable.Range(1, 5).Select(i => tracker.TryAdmit(i, i, 1, 100, 10).Record!).ToArray();
        foreach (var (record, i) in records.Select((r, i) => (r, i)))
        {
            tracker.Complete(record, i % 2 == 0 ? RequestStatus.Success : RequestStatus.Error);
        }

        tracker.RemoveFinished([records[0], records[2], records[4]]);

        Assert.Equal([2L, 4L], tracker.PeekFinished(10).Select(r => r.RequestIdx!.Value));
    }

    [Fact]
    public void Finished_BoundedQueueDropsOldestAndCounts()
    {
        var tracker = new LoadTracker(_time);
        for (var i = 0; i < LoadTracker.MaxFinishedRecords + 5; i++)
        {
            tracker.Reject(i, i, 1);
        }

        Assert.Equal(LoadTracker.MaxFinishedRecords, tracker.PendingFinishedRecords);
        Assert.Equal(5, tracker.DroppedFinishedRecords);
        Assert.Equal(5, tracker.PeekFinished(1)[0].RequestIdx);
    }

    [Fact]
    public void DistinctRequests_RepeatedReqnumCountedOnce()
    {
        var tracker = new LoadTracker(_time);
        tracker.Reject(1, 7, 1);
        tracker.Reject(2, 7, 1);
        tracker.TryAdmit(3, 8, 1, 100, 10);
        tracker.TryAdmit(4, null, 1, 100, 10);

        Assert.Equal(3, tracker.Snapshot().DistinctRequests);
    }

    [Fact]
    public void PassThroughRequests_CountLoadButQueueNoDeleteRecord()
    {
        var tracker = new LoadTracker(_time);
        var record = tracker.TryAdmit(null, null, 1, 100, 10).Record!;
        tracker.Complete(record, RequestStatus.Success);

        Assert.Equal(1, tracker.Snapshot().Served);
        Assert.Empty(tracker.PeekFinished(10));
    }
}
