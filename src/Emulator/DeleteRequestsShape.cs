namespace Vespa.Emulator;

/// <summary>The two <c>/delete_requests/</c> body shapes (vast-protocol.md §4.2).</summary>
public enum DeleteRequestsShape
{
    /// <summary>Shape A (SDK before execution-time metrics, claudius):
    /// <c>{"worker_id", "mtoken", "request_idxs": [...], "success": bool}</c>.</summary>
    RequestIdxs,

    /// <summary>Shape B (current vast-cli/SDK): <c>{"worker_id", "mtoken", "requests": [{"request_idx", "success",
    /// "status", "entered_queue_at", "work_started_at", "work_completed_at"}]}</c>.</summary>
    Requests,
}
