namespace Vespa.Worker.Admission;

/// <summary>
/// One authenticated request as the autoscaler sees it: its ids, workload and timestamps (epoch
/// seconds, 0 when unset). Mutated only under <see cref="LoadTracker"/>'s lock.
/// </summary>
internal sealed class RequestRecord
{
    public RequestRecord(long? requestIdx, long? reqnum, double workload, double enteredQueueAt)
    {
        RequestIdx = requestIdx;
        Reqnum = reqnum;
        Units = WorkloadUnits.FromDouble(workload);
        Workload = Units.ToDouble();
        EnteredQueueAt = enteredQueueAt;
    }

    /// <summary>The autoscaler's id; <c>null</c> for unsecured pass-through requests (nothing to delete).</summary>
    public long? RequestIdx { get; }

    public long? Reqnum { get; }

    public double Workload { get; }

    /// <summary>The workload, exactly, for the load counters.</summary>
    public WorkloadUnits Units { get; }

    public double EnteredQueueAt { get; }

    public double WorkStartedAt { get; set; }

    public double WorkCompletedAt { get; set; }

    public RequestStatus Status { get; set; } = RequestStatus.Created;

    /// <summary>The load record of a session (not of a request).</summary>
    public bool IsSession { get; init; }

    /// <summary>Where the record waits in the <c>/delete_requests/</c> queue; <c>null</c> when not queued.</summary>
    public LinkedListNode<RequestRecord>? FinishedNode { get; set; }

    /// <summary>The <c>success</c> flag of <c>/delete_requests/</c>: true for success and cancel, as the SDK.</summary>
    public bool Success => Status is RequestStatus.Success or RequestStatus.Cancelled;
}
