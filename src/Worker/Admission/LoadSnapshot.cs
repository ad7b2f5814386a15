namespace Vespa.Worker.Admission;

/// <summary>
/// What the tracker held at one instant: cumulative workload counters since start (so an interval
/// is the difference of two snapshots) and the requests at work. The reporter sends the interval
/// since the last acknowledged snapshot and acknowledges this one only after a successful send,
/// so nothing counted while a send is in flight is lost (the Python workers lose it).
/// </summary>
internal sealed record LoadSnapshot(
    double Received,
    double Served,
    double Cancelled,
    double Errored,
    double Rejected,
    long DistinctRequests,
    double CurrentLoad,
    IReadOnlyList<long> WorkingRequestIdxs,
    int WorkingCount);
