namespace Vespa.Worker.Options;

/// <summary>The two bodies of <c>POST /delete_requests/</c> (vast-protocol.md §4.2).</summary>
public enum DeleteRequestsShape
{
    /// <summary><c>{"worker_id", "mtoken", "request_idxs": [...], "success": bool}</c>, one post per success value (SDK 1c39c42, claudius).</summary>
    A,

    /// <summary><c>{"worker_id", "mtoken", "requests": [{"request_idx", "success", "status", timestamps}]}</c> (vast-cli, current PyPI SDK).</summary>
    B,
}
