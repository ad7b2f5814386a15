namespace Vespa.Worker.Lifecycle;

/// <summary>Where the worker is in its life; requests are forwarded only when <see cref="Ready"/>.</summary>
internal enum WorkerPhase
{
    /// <summary>Waiting for the backend's health endpoint to answer 200.</summary>
    WaitingForBackend,

    /// <summary>Measuring throughput (or reading the cache).</summary>
    Benchmarking,

    Ready,

    /// <summary>Start-up failed; the error is reported to the autoscaler until the process ends.</summary>
    Failed,
}
