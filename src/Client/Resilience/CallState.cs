namespace Vespa.Client.Resilience;

/// <summary>
/// One call's state across its attempts: the autoscaler's <c>request_idx</c> (kept when re-routing, so the
/// autoscaler sees one request), counters, and where to report progress. Lives in the Polly context's properties.
/// </summary>
internal sealed class CallState(IProgressSink progress, CancellationToken callerToken)
{
    /// <summary>The token of whoever started the call (Ctrl+C, the proxy's client leaving): cancellation, not a failure.</summary>
    public CancellationToken CallerToken { get; } = callerToken;

    public IProgressSink Progress { get; } = progress;

    /// <summary>0 until the autoscaler assigns one; then sent back on every re-route (vast-protocol.md §7.2).</summary>
    public long RequestIdx { get; set; }

    /// <summary>Attempts started (routes asked for, WAITING polls included).</summary>
    public int Attempts { get; set; }

    /// <summary>Worker calls made.</summary>
    public int WorkerCalls { get; set; }

    /// <summary>Failed attempts (WAITING polls are not failures); retries stop when this exceeds the limit.</summary>
    public int Failures { get; set; }

    /// <summary>Attempts in a row whose route named a worker with an open circuit (reset by any other outcome).</summary>
    public int CircuitOpenInARow { get; set; }

    /// <summary>WAITING answers received.</summary>
    public int WaitingPolls { get; set; }

    /// <summary>The last outcome's description, for the message when the time runs out.</summary>
    public string? LastProblem { get; set; }

    /// <summary>The worker of the latest route.</summary>
    public string? WorkerUrl { get; set; }
}
