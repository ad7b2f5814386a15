namespace Vespa.Client.Resilience;

/// <summary>What one attempt (route, then worker) ended with; decides whether and how the pipeline retries.</summary>
internal enum OutcomeKind
{
    /// <summary>The worker answered with a status that is returned as it is (2xx, 3xx, 4xx other than 408/429, or a
    /// retryable status once the retries are spent). Final.</summary>
    Answered,

    /// <summary>The autoscaler has no ready worker (a <c>/route/</c> answer without <c>url</c>). Polled until the total timeout.</summary>
    Waiting,

    /// <summary>The autoscaler answered 5xx, 408 or 429, an unreadable answer, or could not be reached. Retried with back-off.</summary>
    RouteUnavailable,

    /// <summary>The autoscaler refused the request (4xx: key, endpoint). Final.</summary>
    RouteRefused,

    /// <summary>The worker answered 408, 429 or 5xx. Re-routed and retried with back-off (or <c>Retry-After</c>).</summary>
    WorkerStatus,

    /// <summary>The worker could not be reached, or its answer broke before any byte was shown. Re-routed and retried.</summary>
    WorkerUnreachable,

    /// <summary>The routed worker's circuit is open: not called, re-routed and retried.</summary>
    CircuitOpen,

    /// <summary>The console answered 5xx/408/429 or could not be reached. Retried with back-off.</summary>
    ControlUnavailable,

    /// <summary>The console refused the request (4xx). Final.</summary>
    ControlRefused,

    /// <summary>A console call succeeded. Final.</summary>
    ControlDone,
}
