using System.Globalization;
using Vespa.Core.Envelopes;
using Vespa.Worker.Errors;
using Vespa.Worker.Lifecycle;
using Vespa.Worker.Metrics;
using Vespa.Worker.Options;

namespace Vespa.Worker.Admission;

/// <summary>
/// Decides whether an authenticated request may go to the backend now (vast-protocol.md §5,
/// product.md §3.3): workload from <c>auth_data.cost</c> (or <c>VESPA_DEFAULT_COST</c> when
/// cost &lt;= 1), 503 while the worker is not ready, 429 when the estimated wait is above
/// <c>VESPA_MAX_WAIT_TIME</c>, then a FIFO slot when concurrency is limited.
/// </summary>
internal sealed class AdmissionController
{
    private readonly LoadTracker _tracker;
    private readonly WorkerState _state;
    private readonly WorkerOptions _options;
    private readonly WorkerMetrics _metrics;
    private readonly ConcurrencyGate? _gate;
    private readonly TimeProvider _time;

    public AdmissionController(LoadTracker tracker, WorkerState state, WorkerOptions options, WorkerMetrics metrics, TimeProvider time)
    {
        _tracker = tracker;
        _state = state;
        _options = options;
        _metrics = metrics;
        _time = time;
        _gate = !options.AllowParallel ? new ConcurrencyGate(1) : options.MaxConcurrency is { } slots ? new ConcurrencyGate(slots) : null;
    }

    /// <summary>The workload of a request, or the 422 when its cost is not a usable number.</summary>
    public WorkerError? TryGetWorkload(AuthData? authData, out double workload)
    {
        workload = _options.DefaultCost ?? 1.0;
        if (authData is null)
        {
            return null; // unsecured pass-through: no cost was sent
        }

        if (authData.CostValue is not { } cost || cost < 0)
        {
            workload = 0;
            return new WorkerError(
                StatusCodes.Status422UnprocessableEntity,
                "auth_data.cost must be a non-negative number",
                new Dictionary<string, object> { ["auth_data"] = new Dictionary<string, string> { ["cost"] = "must be a non-negative number" } });
        }

        workload = cost <= 1 && _options.DefaultCost is { } fallback ? fallback : cost;
        return null;
    }

    /// <summary>Admits the request and waits for its slot, or returns the error to answer with.</summary>
    public async ValueTask<(AdmissionTicket? Ticket, WorkerError? Error)> AdmitAsync(AuthData? authData, double workload, CancellationToken cancellationToken)
    {
        var requestIdx = authData?.RequestIdxValue;
        var reqnum = authData?.ReqnumValue;
        if (!_state.IsReady)
        {
            _tracker.Reject(requestIdx, reqnum, workload);
            _metrics.Request(RequestOutcome.RejectedNotReady);
            _metrics.Workload("rejected", workload);
            return (null, new WorkerError(StatusCodes.Status503ServiceUnavailable, "worker not ready: " + _state.NotReadyReason));
        }

        var decision = _tracker.TryAdmit(requestIdx, reqnum, workload, _state.MaxThroughput, _options.MaxWaitTime);
        if (decision.Record is not { } record)
        {
            _metrics.Request(RequestOutcome.RejectedQueueFull);
            _metrics.Workload("rejected", workload);
            var wait = decision.EstimatedWaitSeconds.ToString("0.###", CultureInfo.InvariantCulture);
            return (null, new WorkerError(
                StatusCodes.Status429TooManyRequests,
                $"queue full: estimated wait {wait}s exceeds VESPA_MAX_WAIT_TIME={_options.MaxWaitTime.ToString(CultureInfo.InvariantCulture)}s",
                new Dictionary<string, object> { ["estimated_wait"] = decision.EstimatedWaitSeconds }));
        }

        _metrics.Workload("received", workload);
        ConcurrencyGate.Lease? lease = null;
        if (_gate is not null)
        {
            var waitStarted = _time.GetTimestamp();
            try
            {
                lease = await _gate.EnterAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // The client left while queued: counted as cancelled, the slot queue is already clean.
                _tracker.Complete(record, RequestStatus.Cancelled);
                throw;
            }

            _metrics.QueueWait.Observe(_time.GetElapsedTime(waitStarted).TotalSeconds);
        }

        _tracker.MarkStarted(record);
        return (new AdmissionTicket(_tracker, record, lease), null);
    }
}
