namespace Vespa.Worker.Admission;

/// <summary>
/// Life of an admitted request, with the names the autoscaler's <c>/delete_requests/</c> uses
/// (vast-protocol.md §4.2, shape B).
/// </summary>
internal enum RequestStatus
{
    Created,
    Started,
    Success,
    Error,
    Cancelled,
    Rejected,
}
