using System.Globalization;
using Vespa.Core.Envelopes;
using Vespa.Worker.Diagnostics;
using Vespa.Worker.Errors;
using Vespa.Worker.Lifecycle;
using Vespa.Worker.Metrics;
using Vespa.Worker.Options;

namespace Vespa.Worker.Admission;

/// <summary>
/// Decides whether an authenticated request may go to the backend now (vast-protocol.md §5,
/// product.md §3.3): workload from <c>auth_data.cost</c> (<see cref="WorkloadPolicy"/>; a signed
/// request is never refused for its cost), 503 while the worker is not ready, 429 when the
/// estimated wait is above <c>VESPA_MAX_WAIT_TIME</c>, then a FIFO slot when concurrency is limited.
/// Requests inside a session skip the readiness and wait checks (their capacity was admitted with
/// the session) but wait for a slot in the same FIFO, as in the SDK.
/// </summary>
internal sealed partial class AdmissionController : IDisposable
{
    /// <summary>At most one warning per kind of adjusted cost in this period; the metric counts every one.</summary>
    public static readonly TimeSpan CostWarningPeriod = TimeSpan.FromMinutes(1);

    private readonly LoadTracker _tracker;
    private readonly WorkerState _state;
    private readonly WorkerOptions _options;
    private readonly WorkerMetrics _metrics;
    private readonly ConcurrencyGate? _gate;
    private readonly TimeProvider _time;
    private readonly ILogger<AdmissionController> _logger;
    private readonly LogThrottle[] _costWarnings;

    public AdmissionController(LoadTracker tracker, WorkerState state, WorkerOptions options, WorkerMetrics metrics, TimeProvider time, ILogger<AdmissionController> logger)
    {
        _tracker = tracker;
        _state = state;
        _options = options;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _costWarnings = [.. Enum.GetValues<CostAdjustment>().Select(_ => new LogThrottle(time, CostWarningPeriod))];
        _gate = !options.AllowParallel ? new ConcurrencyGate(1) : options.MaxConcurrency is { } slots ? new ConcurrencyGate(slots) : null;
    }

    /// <summary>Requests waiting for a concurrency slot, in a session or not.</summary>
    public int QueuedRequests => _gate?.Waiting ?? 0;

    /// <summary>Free concurrency slots, or null when concurrency is unlimited (the fault tests check none is lost).</summary>
    public int? FreeSlots => _gate?.Available;

    /// <summary>
    /// The workload a request is accounted with: <c>VESPA_DEFAULT_COST</c> (else 1) for unsecured pass-through
    /// requests, which carry no cost, otherwise <see cref="WorkloadPolicy"/> over <c>auth_data.cost</c>. Adjusted
    /// costs are counted in <c>vespa_worker_cost_adjusted_total</c> and logged at most once a minute per kind.
    /// </summary>
    public double GetWorkload(AuthData? authData)
    {
        if (authData is null)
        {
            return _options.DefaultCost ?? 1.0;
        }

        var workload = WorkloadPolicy.FromCost(authData.Cost, _options.DefaultCost, _options.MaxCost, out var adjustment);
        if (adjustment != CostAdjustment.None)
        {
            _metrics.CostAdjusted(adjustment);
            if (_costWarnings[(int)adjustment].TryEnter(out var suppressed))
            {
                Log.CostAdjusted(_logger, Describe(adjustment), workload, authData.RequestIdxValue, suppressed);
            }
        }

        return workload;
    }

    /// <summary>Admits the request and waits for its slot, or returns the error to answer with.</summary>
    public async ValueTask<(AdmissionTicket? Ticket, WorkerError? Error)> AdmitAsync(AuthData? authData, double workload, CancellationToken cancellationToken)
    {
        var requestIdx = authData?.RequestIdxValue;
        var reqnum = authData?.ReqnumValue;
        if (!_state.IsReady)
        {
            RecordRejection(authData, workload, RequestOutcome.RejectedNotReady);
            return (null, NotReady());
        }

        var decision = _tracker.TryAdmit(requestIdx, reqnum, workload, _state.MaxThroughput, _options.MaxWaitTime, startNow: _gate is null);
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
        if (_gate is null)
        {
            // Unlimited concurrency: started when admitted (TryAdmit marked it), no slot, no second lock.
            return (new AdmissionTicket(_tracker, record, null), null);
        }

        IDisposable? lease;
        try
        {
            lease = await WaitForSlotAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // The client left while queued: counted as cancelled, the slot queue is already clean.
            _tracker.Complete(record, RequestStatus.Cancelled);
            throw;
        }

        _tracker.MarkStarted(record);
        return (new AdmissionTicket(_tracker, record, lease), null);
    }

    /// <summary>
    /// Waits for a concurrency slot in the one FIFO (null when concurrency is unlimited); dispose
    /// the result to free it. Requests inside a session call this directly: the SDK queues them
    /// with everyone else, so <c>VESPA_ALLOW_PARALLEL=false</c> holds for them too.
    /// </summary>
    public async ValueTask<IDisposable?> WaitForSlotAsync(CancellationToken cancellationToken)
    {
        if (_gate is null)
        {
            return null;
        }

        var waitStarted = _time.GetTimestamp();
        var lease = await _gate.EnterAsync(cancellationToken);
        _metrics.QueueWait.Observe(_time.GetElapsedTime(waitStarted).TotalSeconds);
        return lease;
    }

    /// <summary>
    /// Records an authenticated request refused before it started (not ready, session cap): its
    /// workload counts in <c>rej_load</c> and it goes to <c>/delete_requests/</c> as <c>Rejected</c>.
    /// </summary>
    public void RecordRejection(AuthData? authData, double workload, RequestOutcome outcome)
    {
        _tracker.Reject(authData?.RequestIdxValue, authData?.ReqnumValue, workload);
        _metrics.Request(outcome);
        _metrics.Workload("rejected", workload);
    }

    public WorkerError NotReady() => new(StatusCodes.Status503ServiceUnavailable, "worker not ready: " + _state.NotReadyReason);

    public void Dispose() => _gate?.Dispose();

    private string Describe(CostAdjustment adjustment) => adjustment switch
    {
        CostAdjustment.Negative => "negative",
        CostAdjustment.AboveMax => "above VESPA_MAX_COST=" + _options.MaxCost.ToString(CultureInfo.InvariantCulture),
        _ => "not a number",
    };

    private static partial class Log
    {
        [LoggerMessage(EventId = 250, EventName = "CostAdjusted", Level = LogLevel.Warning, Message = "A signed request's auth_data.cost was {Problem}: served with workload {Workload} (request_idx {RequestIdx}; {Suppressed} more like it since the last warning)")]
        public static partial void CostAdjusted(ILogger logger, string problem, double workload, long? requestIdx, long suppressed);
    }
}
