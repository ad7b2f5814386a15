namespace Vespa.Worker.Metrics;

/// <summary>The <c>outcome</c> label of <c>vespa_worker_requests_total</c>: a small fixed set.</summary>
internal enum RequestOutcome
{
    Success,
    BackendError,
    Failed,
    Cancelled,
    RejectedQueueFull,
    RejectedNotReady,

    /// <summary>A session create refused at <c>VESPA_MAX_SESSIONS</c>.</summary>
    RejectedSessionLimit,
    Unauthenticated,
    Malformed,
    Blocked,
    TooLarge,
    UnverifiedBudgetSpent,
}
