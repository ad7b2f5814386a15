using System.Globalization;
using Vespa.Client.Resilience;

namespace Vespa.Client.Commands;

/// <summary>Maps how a call ended to an exit code, a message and a code (the table is in README.md, "vespa-client").</summary>
internal static class Failures
{
    /// <summary>The failure of a call that ended without a final answer; <c>null</c> when it has one
    /// (<see cref="OutcomeKind.Answered"/> or <see cref="OutcomeKind.ControlDone"/>).</summary>
    public static CommandFailure? From(CallResult result, TimeSpan totalTimeout)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.Cancelled)
        {
            return CommandFailure.Cancelled();
        }

        var state = result.State;
        if (result.TimedOut)
        {
            var seconds = totalTimeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
            var last = state.LastProblem is null ? "" : $" (last: {state.LastProblem})";
            var waiting = state.LastProblem?.StartsWith("waiting for a worker", StringComparison.Ordinal) == true;
            var what = waiting
                ? $"no worker became ready within the {seconds}s total timeout"
                : $"no answer within the time allowed (--timeout {seconds}s, --attempt-timeout) after {state.Attempts} attempt(s)";
            return new CommandFailure(ExitCodes.Unavailable, what + last, "timeout");
        }

        var outcome = result.Outcome!;
        var retried = state.Failures > 1 ? $" (after {state.Failures} failed attempts)" : "";
        return outcome.Kind switch
        {
            OutcomeKind.Answered or OutcomeKind.ControlDone => null,
            OutcomeKind.Waiting => new CommandFailure(ExitCodes.Unavailable, outcome.Message, "no_capacity"),
            OutcomeKind.CircuitOpen => FromCircuit(outcome, retried),
            OutcomeKind.RouteRefused or OutcomeKind.ControlRefused when outcome.StatusCode is 401 or 403
                => new CommandFailure(ExitCodes.Auth, outcome.Message + KeyHint(outcome.Kind), "invalid_api_key"),
            OutcomeKind.RouteRefused => new CommandFailure(ExitCodes.HttpError, outcome.Message, "autoscaler_error"),
            OutcomeKind.ControlRefused => new CommandFailure(ExitCodes.HttpError, outcome.Message, "console_error"),
            OutcomeKind.RouteUnavailable when outcome.Exception is not null => new CommandFailure(ExitCodes.Transport, outcome.Message + retried, "autoscaler_unreachable"),
            OutcomeKind.ControlUnavailable when outcome.Exception is not null => new CommandFailure(ExitCodes.Transport, outcome.Message + retried, "console_unreachable"),
            OutcomeKind.WorkerStatus when outcome.StatusCode is 429 or 503 => new CommandFailure(ExitCodes.Unavailable, outcome.Message + " (no capacity)" + retried, "no_capacity"),
            OutcomeKind.RouteUnavailable or OutcomeKind.ControlUnavailable when outcome.StatusCode is 429 => new CommandFailure(ExitCodes.Unavailable, outcome.Message + retried, "no_capacity"),
            OutcomeKind.WorkerUnreachable => new CommandFailure(ExitCodes.Transport, outcome.Message + retried, "worker_unreachable"),
            OutcomeKind.WorkerStatus => new CommandFailure(ExitCodes.HttpError, outcome.Message + retried, "worker_error"),
            OutcomeKind.RouteUnavailable => new CommandFailure(ExitCodes.HttpError, outcome.Message + retried, "autoscaler_error"),
            OutcomeKind.ControlUnavailable => new CommandFailure(ExitCodes.HttpError, outcome.Message + retried, "console_error"),
            _ => new CommandFailure(ExitCodes.HttpError, outcome.Message + retried, "upstream_error"),
        };
    }

    /// <summary>A call that ended on an open circuit fails the way the failure that opened it did: a worker that
    /// refuses connections is a transport failure (5) however many retries there were, not "no capacity".</summary>
    private static CommandFailure FromCircuit(AttemptOutcome outcome, string retried) => outcome.Cause switch
    {
        null => new CommandFailure(ExitCodes.Unavailable, outcome.Message + retried, "no_capacity"),
        { TimedOut: true } => new CommandFailure(ExitCodes.Unavailable, outcome.Message + retried, "timeout"),
        { Kind: OutcomeKind.WorkerUnreachable } => new CommandFailure(ExitCodes.Transport, outcome.Message + retried, "worker_unreachable"),
        { StatusCode: 429 or 503 } => new CommandFailure(ExitCodes.Unavailable, outcome.Message + retried, "no_capacity"),
        { Kind: OutcomeKind.Answered, StatusCode: < 400 } => new CommandFailure(ExitCodes.Transport, outcome.Message + retried, "worker_unreachable"),
        _ => new CommandFailure(ExitCodes.HttpError, outcome.Message + retried, "worker_error"),
    };

    private static string KeyHint(OutcomeKind kind) => kind == OutcomeKind.RouteRefused
        ? " (check the endpoint key: --endpoint-key, VAST_ENDPOINT_KEY, or the account key it is looked up with)"
        : " (check the account key: --account-key, VAST_API_KEY, VAST_ACCOUNT_KEY, ~/.vast_api_key)";
}
