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
    Unauthenticated,
    Malformed,
    Blocked,
    TooLarge,
    UnverifiedBudgetSpent,
}
