using Vespa.Worker.Admission;
using Vespa.Worker.Envelopes;
using Vespa.Worker.Errors;
using Vespa.Worker.Metrics;
using Vespa.Worker.Lifecycle;
using Vespa.Worker.Security;
using Vespa.Worker.Sessions;

namespace Vespa.Worker.Forwarding;

/// <summary>
/// The catch-all endpoint: every method and path that is not the worker's own goes through here.
/// An orchestrator with numbered steps; each step answers and stops, or hands on. Nothing before
/// step 3 succeeds can touch a figure reported to the autoscaler: forged and malformed requests
/// are visible only in Prometheus and the log.
/// </summary>
internal sealed class ProxyRequestHandler
{
    private readonly RequestPathPolicy _paths;
    private readonly EnvelopeReader _envelopes;
    private readonly SignatureChecker _signatures;
    private readonly AdmissionController _admission;
    private readonly BackendForwarder _forwarder;
    private readonly WorkerMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly SessionStore _sessions;
    private readonly LoadTracker _load;
    private readonly WorkerState _state;

    public ProxyRequestHandler(RequestPathPolicy paths, EnvelopeReader envelopes, SignatureChecker signatures, AdmissionController admission, BackendForwarder forwarder, WorkerMetrics metrics, TimeProvider time, SessionStore sessions, LoadTracker load, WorkerState state)
    {
        _sessions = sessions;
        _load = load;
        _state = state;
        _paths = paths;
        _envelopes = envelopes;
        _signatures = signatures;
        _admission = admission;
        _forwarder = forwarder;
        _metrics = metrics;
        _time = time;
    }

    public async Task HandleAsync(HttpContext context)
    {
        // Step 1: the path as the backend will route it: blocked (403, as the universal PyWorker) or
        // ambiguous, with encoded separators or dot segments (400), refused before anything is read.
        var path = context.Request.Path.Value ?? "/";
        if (_paths.Check(path) is { } pathError)
        {
            await RefuseAsync(context, pathError, pathError.StatusCode == StatusCodes.Status403Forbidden ? RequestOutcome.Blocked : RequestOutcome.Malformed);
            return;
        }

        // Step 2: find the auth data and what the backend will receive; malformed input is 4xx here.
        IncomingRequest incoming;
        try
        {
            incoming = await _envelopes.ReadAsync(context);
        }
        catch (BadHttpRequestException ex)
        {
            // Truncated, too slow or oversized (chunked) bodies: the caller's mistake, so a 4xx, never a 500.
            await RefuseAsync(context, new WorkerError(ex.StatusCode, "could not read the request body: " + ex.Message), RequestOutcome.Malformed);
            return;
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return;
        }

        using var _ = incoming;
        if (incoming.Error is { } envelopeError)
        {
            var outcome = envelopeError.StatusCode switch
            {
                StatusCodes.Status413PayloadTooLarge => RequestOutcome.TooLarge,
                StatusCodes.Status503ServiceUnavailable => RequestOutcome.UnverifiedBudgetSpent,
                StatusCodes.Status401Unauthorized => RequestOutcome.Unauthenticated,
                _ => RequestOutcome.Malformed,
            };
            if (outcome == RequestOutcome.Unauthenticated)
            {
                _metrics.Unauthenticated("no_credentials");
            }

            await RefuseAsync(context, envelopeError, outcome);
            return;
        }

        // Step 3: this worker's url and the signature, before the payload is used or anything is forwarded.
        var authData = incoming.AuthData;
        if (authData is not null && _signatures.Check(authData) is { } signatureError)
        {
            await RefuseAsync(context, signatureError, RequestOutcome.Unauthenticated);
            return;
        }

        // Verified (or unsecured): the body no longer counts against the budget for unverified bytes.
        incoming.MarkVerified();

        // Step 4: admission: workload, readiness (503), estimated wait (429), a FIFO slot.
        var workload = _admission.GetWorkload(authData);

        if (incoming.SessionId is { } sessionId)
        {
            // A session's capacity was admitted when it opened: its requests skip the queue
            // estimate, but wait for a concurrency slot like everyone else.
            await ForwardInSessionAsync(context, incoming, sessionId, workload);
            return;
        }

        AdmissionTicket? ticket;
        WorkerError? admissionError;
        try
        {
            (ticket, admissionError) = await _admission.AdmitAsync(authData, workload, context.RequestAborted);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            _metrics.Request(RequestOutcome.Cancelled);
            _metrics.Workload("cancelled", workload);
            return;
        }

        if (admissionError is not null || ticket is null)
        {
            // WorkerErrorWriter clears the response first, so the hint travels with the error.
            await WorkerErrorWriter.WriteAsync(context, admissionError! with { RetryAfterSeconds = admissionError.RetryAfterSeconds ?? 1 });
            return;
        }

        // Step 5: forward and relay; errors map to 502/504 or an aborted stream.
        using (ticket)
        {
            await ForwardAsync(context, incoming, ticket, workload);
        }
    }

    private async Task ForwardAsync(HttpContext context, IncomingRequest incoming, AdmissionTicket ticket, double workload)
    {
        var plan = incoming.Plan!;
        var started = _time.GetTimestamp();
        _metrics.InFlight.Inc();
        if (plan.Body is { } body)
        {
            _metrics.RequestBytes.Inc(body.Length);
        }

        // Time to first byte and response bytes are taken by EnvelopeTransformer when the backend's headers arrive:
        // no per-request callback, and a stream wrapper only for responses without Content-Length.
        plan.MeteredSince = started;
        var completed = false;
        try
        {
            var result = await _forwarder.ForwardAsync(context, plan);
            var (status, outcome) = result switch
            {
                // A backend 5xx is relayed unchanged but is failed work, not served work (the SDK counts it as served).
                ForwardingOutcome.Completed when context.Response.StatusCode >= 500 => (RequestStatus.Error, RequestOutcome.BackendError),
                ForwardingOutcome.Completed => (RequestStatus.Success, RequestOutcome.Success),
                ForwardingOutcome.Cancelled => (RequestStatus.Cancelled, RequestOutcome.Cancelled),
                _ => (RequestStatus.Error, RequestOutcome.Failed),
            };
            completed = result == ForwardingOutcome.Completed;
            ticket.Complete(status);
            _metrics.Request(outcome);
            _metrics.Workload(status switch
            {
                RequestStatus.Success => "served",
                RequestStatus.Cancelled => "cancelled",
                _ => "errored",
            }, workload);
        }
        finally
        {
            _metrics.InFlight.Dec();
            _metrics.ResponseBytes.Inc(plan.ResponseBytes(completed));
            _metrics.ForwardDuration.Observe(_time.GetElapsedTime(started).TotalSeconds);
        }
    }

    private async Task ForwardInSessionAsync(HttpContext context, IncomingRequest incoming, string sessionId, double workload)
    {
        if (!_state.IsReady)
        {
            await RefuseAsync(context, new WorkerError(StatusCodes.Status503ServiceUnavailable, "worker not ready: " + _state.NotReadyReason), RequestOutcome.RejectedNotReady);
            return;
        }

        var session = _sessions.Find(sessionId);
        var running = session is not null && session.Touch(_sessions.Now) ? session.Enter(context.RequestAborted) : null;
        if (running is null)
        {
            await RefuseAsync(context, new WorkerError(StatusCodes.Status410Gone, "invalid session"), RequestOutcome.Malformed);
            return;
        }

        // Closing the session (end or expiry) aborts its requests, as the SDK closes their connections.
        using var abort = running.Token.Register(context.Abort);
        _load.StartSessionRequest(workload);
        _metrics.Workload("received", workload);
        var status = RequestStatus.Cancelled;
        IDisposable? slot = null;
        try
        {
            // The one FIFO of the worker (VESPA_ALLOW_PARALLEL=false, VESPA_MAX_CONCURRENCY), as the SDK
            // queues session requests with the others; the client leaving or the session closing ends the wait.
            slot = await _admission.WaitForSlotAsync(running.Token);
            var result = await _forwarder.ForwardAsync(context, incoming.Plan!);
            status = result switch
            {
                ForwardingOutcome.Completed when context.Response.StatusCode < 500 => RequestStatus.Success,
                ForwardingOutcome.Cancelled => RequestStatus.Cancelled,
                _ => RequestStatus.Error,
            };
        }
        catch (OperationCanceledException) when (running.IsCancellationRequested)
        {
            // Left the queue: the client went away or the session closed (its connection is aborted).
        }
        finally
        {
            slot?.Dispose();
            _load.CompleteSessionRequest(workload, status);
            _metrics.Request(status switch
            {
                RequestStatus.Success => RequestOutcome.Success,
                RequestStatus.Cancelled => RequestOutcome.Cancelled,
                _ => RequestOutcome.Failed,
            });
            session!.Leave(running);
            running.Dispose();
        }
    }

    private async Task RefuseAsync(HttpContext context, WorkerError error, RequestOutcome outcome)
    {
        _metrics.Request(outcome);
        await WorkerErrorWriter.WriteAsync(context, error);
    }
}
