using Vespa.Client.Resilience;
using Vespa.Client.Routing;

namespace Vespa.Client.Requests;

/// <summary>
/// One request to an endpoint, through the shared pipeline: each attempt routes (keeping <c>request_idx</c>), skips a
/// worker whose circuit is open, takes a connection slot, and lets the caller's sender talk to the worker. The keys
/// stay here: the sender gets the worker URL and the signed auth data, never the endpoint or account key.
/// </summary>
internal sealed class EndpointCaller(ClientRuntime runtime, EndpointTarget target)
{
    public EndpointTarget Target { get; } = target;

    /// <summary>Sends with <paramref name="send"/> until an outcome is final, the retries are spent, the time runs out
    /// or <paramref name="cancellationToken"/> fires. The sender returns a value for every worker answer and transport
    /// failure; it throws only <see cref="OperationCanceledException"/>.</summary>
    public Task<CallResult> ExecuteAsync(
        double cost,
        Func<RouteTicket, CallState, CancellationToken, ValueTask<AttemptOutcome>> send,
        IProgressSink progress,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(send);
        var state = new CallState(progress, cancellationToken);
        return RequestPipeline.ExecuteAsync(runtime.Pipeline, state, (call, token) => AttemptAsync(cost, send, call, token), cancellationToken);
    }

    private async ValueTask<AttemptOutcome> AttemptAsync(
        double cost,
        Func<RouteTicket, CallState, CancellationToken, ValueTask<AttemptOutcome>> send,
        CallState call,
        CancellationToken cancellationToken)
    {
        call.Progress.Report(call.WaitingPolls > 0 ? $"waiting for a worker ({call.WaitingPolls} polls)" : "routing");
        var (ticket, refusal) = await runtime.Autoscaler.RouteAsync(Target, cost, call, cancellationToken).ConfigureAwait(false);
        if (ticket is null)
        {
            return refusal!;
        }

        var worker = ticket.WorkerUrl;
        if (!runtime.Breakers.TryEnter(worker))
        {
            return AttemptOutcome.CircuitOpen(worker, runtime.Breakers.GetLastCause(worker));
        }

        if (ticket.WorkerUrl.StartsWith("https:", StringComparison.OrdinalIgnoreCase))
        {
            // First use of an https worker: the vast.ai root its certificate chains to (downloaded once, then cached).
            await runtime.EnsureVastRootAsync(cancellationToken).ConfigureAwait(false);
        }

        var entered = false;
        try
        {
            await runtime.ConnectionSlots.WaitAsync(cancellationToken).ConfigureAwait(false);
            entered = true;
            call.WorkerCalls++;
            call.Progress.Report("calling " + worker);
            var outcome = await send(ticket, call, cancellationToken).ConfigureAwait(false);
            if (outcome.IsWorkerFailure)
            {
                runtime.Breakers.OnFailure(worker, FailureCause.From(outcome));
            }
            else
            {
                runtime.Breakers.OnSuccess(worker);
            }

            return outcome;
        }
        catch (OperationCanceledException) when (entered && !call.CallerToken.IsCancellationRequested)
        {
            // Out of time while waiting on the worker: a failure of that worker.
            runtime.Breakers.OnFailure(worker, FailureCause.Timeout(worker));
            throw;
        }
        catch (OperationCanceledException)
        {
            runtime.Breakers.OnAbandoned(worker);
            throw;
        }
        finally
        {
            if (entered)
            {
                runtime.ConnectionSlots.Release();
            }
        }
    }
}
