namespace Vespa.Emulator;

/// <summary>The emulator operations that faults and counters are kept for. HTTP names: <c>worker_status</c>, <c>delete_requests</c>,
/// <c>route</c>, <c>pubkey</c>, <c>endptjobs</c>.</summary>
public enum EmulatorOperation
{
    /// <summary><c>POST /worker_status/</c>.</summary>
    WorkerStatus,

    /// <summary><c>POST /delete_requests/</c>.</summary>
    DeleteRequests,

    /// <summary><c>POST /route/</c>.</summary>
    Route,

    /// <summary><c>GET /pubkey/</c>.</summary>
    PubKey,

    /// <summary><c>GET /api/v0/endptjobs/</c>.</summary>
    EndpointJobs,
}
