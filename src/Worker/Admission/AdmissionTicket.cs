namespace Vespa.Worker.Admission;

/// <summary>
/// An admitted request holding its concurrency slot (if any). <see cref="Complete"/> records how it
/// ended and frees the slot; disposing without completing counts it as cancelled, so no path can
/// leave a request "working" forever.
/// </summary>
internal sealed class AdmissionTicket : IDisposable
{
    private readonly LoadTracker _tracker;
    private IDisposable? _lease;
    private int _completed;

    public AdmissionTicket(LoadTracker tracker, RequestRecord record, IDisposable? lease)
    {
        _tracker = tracker;
        Record = record;
        _lease = lease;
    }

    public RequestRecord Record { get; }

    public void Complete(RequestStatus status)
    {
        if (Interlocked.Exchange(ref _completed, 1) == 0)
        {
            _tracker.Complete(Record, status);
            Interlocked.Exchange(ref _lease, null)?.Dispose();
        }
    }

    public void Dispose() => Complete(RequestStatus.Cancelled);
}
