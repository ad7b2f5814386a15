using System.Globalization;
using Vespa.Client.Resilience;

namespace Vespa.Client.Commands;

/// <summary>Maps how a call ended to an exit code and a message (the table is in README.md, "vespa-client").</summary>
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
            var what = state.LastProblem?.StartsWith("waiting for a worker", StringComparison.Ordinal) == true
                ? $"no worker became ready within the {seconds}s total timeout"
                : $"no answer within the time allowed (--timeout {seconds}s, --attempt-timeout) after {state.Attempts} attempt(s)";
            return new CommandFailure(ExitCodes.Unavailable, what + last);
        }

        var outcome = result.Outcome!;
        var retried = state.Failures > 1 ? $" (after {state.Failures} failed attempts)" : "";
        return outcome.Kind switch
        {
            OutcomeKind.Answered or OutcomeKind.ControlDone => null,
            OutcomeKind.Waiting => new CommandFailure(ExitCodes.Unavailable, outcome.Message),
            OutcomeKind.CircuitOpen => new CommandFailure(ExitCodes.Unavailable, outcome.Message + retried),
            OutcomeKind.RouteRefused or OutcomeKind.ControlRefused when outcome.StatusCode is 401 or 403 => new CommandFailure(ExitCodes.Auth, outcome.Message + KeyHint(outcome.Kind)),
            OutcomeKind.RouteRefused or OutcomeKind.ControlRefused => new CommandFailure(ExitCodes.HttpError, outcome.Message),
            OutcomeKind.RouteUnavailable or OutcomeKind.ControlUnavailable or OutcomeKind.WorkerUnreachable when outcome.Exception is not null
                => new CommandFailure(ExitCodes.Transport, outcome.Message + retried),
            OutcomeKind.WorkerStatus when outcome.StatusCode is 429 or 503 => new CommandFailure(ExitCodes.Unavailable, outcome.Message + " (no capacity)" + retried),
            OutcomeKind.RouteUnavailable or OutcomeKind.ControlUnavailable when outcome.StatusCode is 429 => new CommandFailure(ExitCodes.Unavailable, outcome.Message + retried),
            OutcomeKind.WorkerUnreachable => new CommandFailure(ExitCodes.Transport, outcome.Message + retried),
            _ => new CommandFailure(ExitCodes.HttpError, outcome.Message + retried),
        };
    }

    private static string KeyHint(OutcomeKind kind) => kind == OutcomeKind.RouteRefused
        ? " (check the endpoint key: --api-key, VAST_API_KEY, or the account key it is looked up with)"
        : " (check the account key: --account-key, VAST_ACCOUNT_KEY, ~/.vast_api_key)";
}
