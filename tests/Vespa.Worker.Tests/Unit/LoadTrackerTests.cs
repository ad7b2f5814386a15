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
        Assert.Equal(25, snapshot.CurrentLoad.ToDouble());
        Assert.Equal(25, snapshot.Received.ToDouble());
        Assert.Equal(5, snapshot.Rejected.ToDouble());
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
        Assert.Equal(10, snapshot.Served.ToDouble());
        Assert.Equal(20, snapshot.Errored.ToDouble());
        Assert.Equal(30, snapshot.Cancelled.ToDouble());
        Assert.True(snapshot.CurrentLoad.IsZero);
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

        Assert.Equal(1, tracker.Snapshot().Served.ToDouble());
        Assert.Empty(tracker.PeekFinished(10));
    }

    [Fact]
    public void SmallWorkloadNextToAHugeOne_NeitherLostNorLeftOver()
    {
        // As double running totals, 1e16 + 1 == 1e16: the small request vanished from every figure.
        var tracker = new LoadTracker(_time);
        var huge = tracker.TryAdmit(1, 1, 1e16, maxThroughput: 1, maxWaitSeconds: 1e30).Record!;
        var first = tracker.Snapshot();
        tracker.Acknowledge(first);
        var small = tracker.TryAdmit(2, 2, 1, maxThroughput: 1, maxWaitSeconds: 1e30).Record!;

        Assert.Equal(1, tracker.Snapshot().Received.ToDouble()); // the interval after the huge one was acknowledged

        tracker.Complete(huge, RequestStatus.Success);
        Assert.Equal(1, tracker.Snapshot().CurrentLoad.ToDouble());

        tracker.Complete(small, RequestStatus.Success);
        var idle = tracker.Snapshot();
        Assert.True(idle.CurrentLoad.IsZero);
        Assert.Equal(WorkloadUnits.FromDouble(1e16) + WorkloadUnits.FromDouble(1), idle.Served);
    }

    [Fact]
    public void FractionalWorkloads_SumExactly_AndLoadReturnsToZero()
    {
        var tracker = new LoadTracker(_time);
        var records = Enumerable.Range(0, 1000).Select(i => tracker.TryAdmit(i, i, i % 2 == 0 ? 0.1 : 0.2, 1e9, 1e9).Record!).ToList();

        Assert.Equal(150, tracker.Snapshot().CurrentLoad.ToDouble()); // 500 * 0.1 + 500 * 0.2, exactly

        foreach (var record in records)
        {
            tracker.Complete(record, RequestStatus.Success);
        }

        var idle = tracker.Snapshot();
        Assert.True(idle.CurrentLoad.IsZero);
        Assert.Equal(150, idle.Served.ToDouble());
    }

    [Fact]
    public void Acknowledge_RemovesExactlyWhatWasSent_KeepsWhatCameDuringTheSend()
    {
        var tracker = new LoadTracker(_time);
        var a = tracker.TryAdmit(1, 1, 10, 100, 10).Record!;
        tracker.Complete(a, RequestStatus.Success);
        tracker.Reject(2, 2, 3);
        var sent = tracker.Snapshot();

        // While the report is on its way:
        var b = tracker.TryAdmit(3, 3, 5, 100, 10).Record!;
        tracker.Complete(b, RequestStatus.Cancelled);
        tracker.Acknowledge(sent);

        var next = tracker.Snapshot();
        Assert.Equal(5, next.Received.ToDouble());
        Assert.Equal(5, next.Cancelled.ToDouble());
        Assert.True(next.Served.IsZero);
        Assert.True(next.Rejected.IsZero);
        Assert.True(next.NewLoad.IsZero); // max(received - cancelled, 0)
        Assert.Equal(3, next.DistinctRequests); // cumulative, as the SDK's set
    }

    [Fact]
    public void RemoveFinished_ARecordTheBoundAlreadyDropped_RemovesNothingElse()
    {
        var tracker = new LoadTracker(_time);
        for (var i = 0; i < LoadTracker.MaxFinishedRecords; i++)
        {
            tracker.Reject(i, i, 1);
        }

        var oldest = tracker.PeekFinished(1).ToList();
        tracker.Reject(LoadTracker.MaxFinishedRecords, LoadTracker.MaxFinishedRecords, 1); // drops the oldest

        tracker.RemoveFinished(oldest);

        Assert.Equal(LoadTracker.MaxFinishedRecords, tracker.PendingFinishedRecords);
        Assert.Equal(1, tracker.PeekFinished(1)[0].RequestIdx);
    }

    [Fact]
    public void InFlightRequests_CountsRequestsNotSessions()
    {
        var tracker = new LoadTracker(_time);
        var request = tracker.TryAdmit(1, 1, 1, 100, 10).Record!;
        tracker.StartSession(2, 2, 50);

        Assert.Equal(1, tracker.InFlightRequests);
        tracker.Complete(request, RequestStatus.Success);
        Assert.Equal(0, tracker.InFlightRequests);
        Assert.Equal(50, tracker.Snapshot().CurrentLoad.ToDouble());
    }
}
