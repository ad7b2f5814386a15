namespace Vespa.Emulator;

/// <summary>What an <see cref="EmulatorEvent"/> records.</summary>
public enum EmulatorEventKind
{
    /// <summary>A route was answered READY: a worker was picked and the auth data signed.</summary>
    RouteGiven,

    /// <summary>A route got no worker (WAITING) or was refused (bad body, unknown endpoint, missing or wrong key).</summary>
    RouteRefused,

    /// <summary>A <c>/worker_status/</c> or <c>/delete_requests/</c> body was refused as malformed (400, 413).</summary>
    ReportRejected,

    /// <summary>A <c>/delete_requests/</c> report was accepted: the finished requests it lists.</summary>
    DeleteRecords,

    /// <summary>An injected fault answered or delayed a request.</summary>
    Fault,

    /// <summary>A worker was registered (<c>--worker</c>, <see cref="AutoscalerEmulator.RegisterWorker"/>).</summary>
    WorkerRegistered,

    /// <summary>A worker sent its first report.</summary>
    WorkerJoined,

    /// <summary>A worker's report says it is ready (a url, a load time above 0, no error).</summary>
    WorkerReady,

    /// <summary>A worker's report carries a new <c>error_msg</c>.</summary>
    WorkerError,

    /// <summary>A worker missed its reports for longer than its stale limit; routes skip it.</summary>
    WorkerStale,

    /// <summary>A stale worker reported again.</summary>
    WorkerBack,
}
