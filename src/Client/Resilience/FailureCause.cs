namespace Vespa.Client.Resilience;

/// <summary>Why a worker's last call failed, kept by its circuit so that a call skipped because of the open circuit
/// still reports the real cause (e.g. "connection refused") and its exit code, not just "circuit open".</summary>
/// <param name="Kind">The failed attempt's kind: <see cref="OutcomeKind.WorkerUnreachable"/>,
/// <see cref="OutcomeKind.WorkerStatus"/> or <see cref="OutcomeKind.Answered"/> (a relayed 5xx or a broken answer).</param>
/// <param name="StatusCode">The worker's status, if it answered.</param>
/// <param name="Message">What happened, for people.</param>
/// <param name="TimedOut">The attempt ran out of time waiting for the worker.</param>
internal sealed record FailureCause(OutcomeKind Kind, int? StatusCode, string Message, bool TimedOut = false)
{
    public static FailureCause From(AttemptOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        return new FailureCause(outcome.Kind, outcome.StatusCode, outcome.Message);
    }

    public static FailureCause Timeout(string workerUrl) =>
        new(OutcomeKind.WorkerUnreachable, null, $"worker {workerUrl} did not answer within the attempt timeout", TimedOut: true);
}
