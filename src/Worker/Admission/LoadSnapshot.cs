namespace Vespa.Worker.Admission;

/// <summary>
/// What the tracker held at one instant: the workload counted in the report interval not yet
/// acknowledged, and the requests at work. The reporter sends it and, only after a successful send,
/// hands it back to <see cref="LoadTracker.Acknowledge"/>, which subtracts exactly what was sent, so
/// nothing counted while a send is in flight is lost (the Python workers lose it). Interval figures
/// never grow without bound (unlike totals since start), and all of them are exact.
/// </summary>
internal sealed record LoadSnapshot(
    WorkloadUnits Received,
    WorkloadUnits Served,
    WorkloadUnits Cancelled,
    WorkloadUnits Errored,
    WorkloadUnits Rejected,
    long DistinctRequests,
    WorkloadUnits CurrentLoad,
    IReadOnlyList<long> WorkingRequestIdxs,
    int WorkingCount)
{
    /// <summary><c>new_load</c>: received minus cancelled in the interval, never below 0 (the SDK's <c>workload_processing</c>).</summary>
    public WorkloadUnits NewLoad => WorkloadUnits.Max(Received - Cancelled, WorkloadUnits.Zero);
}
