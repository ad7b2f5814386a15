namespace Vespa.Emulator;

/// <summary>Where a worker stands, as the emulator sees it.</summary>
public enum EmulatedWorkerState
{
    /// <summary>Registered (<c>--worker</c>) and has not reported yet; routes may pick it.</summary>
    Registered,

    /// <summary>Reports <c>loadtime</c> 0: still loading or benchmarking.</summary>
    Loading,

    /// <summary>Reports a url, a load time above 0 and no error.</summary>
    Ready,

    /// <summary>Reports an <c>error_msg</c>.</summary>
    Error,

    /// <summary>Missed its reports for longer than its stale limit (a killed or hung worker); routes skip it until
    /// it reports again.</summary>
    Stale,
}
