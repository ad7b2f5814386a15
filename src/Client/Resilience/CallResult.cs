namespace Vespa.Client.Resilience;

/// <summary>How a call through the pipeline ended: with an outcome (final, or transient with the retries spent), out
/// of time, or cancelled by its caller.</summary>
internal sealed class CallResult
{
    private CallResult(AttemptOutcome? outcome, bool timedOut, bool cancelled, CallState state)
    {
        Outcome = outcome;
        TimedOut = timedOut;
        Cancelled = cancelled;
        State = state;
    }

    /// <summary>The last attempt's outcome; <c>null</c> when the call timed out or was cancelled.</summary>
    public AttemptOutcome? Outcome { get; }

    /// <summary>The total timeout, or the last attempt's timeout with no retry left, ran out.</summary>
    public bool TimedOut { get; }

    /// <summary>The caller cancelled (Ctrl+C, the proxy's client left).</summary>
    public bool Cancelled { get; }

    public CallState State { get; }

    public static CallResult From(AttemptOutcome outcome, CallState state) => new(outcome, timedOut: false, cancelled: false, state);

    public static CallResult FromTimeout(CallState state) => new(null, timedOut: true, cancelled: false, state);

    public static CallResult FromCancellation(CallState state) => new(null, timedOut: false, cancelled: true, state);
}
