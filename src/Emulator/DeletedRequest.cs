namespace Vespa.Emulator;

/// <summary>
/// One finished request in a <c>/delete_requests/</c> body. Shape A entries carry the body's <c>success</c> flag, no
/// status and zero timestamps; shape B entries carry their own values (timestamps are epoch seconds, 0 when unset).
/// </summary>
public sealed record DeletedRequest(
    long RequestIdx,
    bool Success,
    string? Status = null,
    double EnteredQueueAt = 0,
    double WorkStartedAt = 0,
    double WorkCompletedAt = 0);
