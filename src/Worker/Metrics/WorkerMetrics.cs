using Prometheus;

namespace Vespa.Worker.Metrics;

/// <summary>
/// Every Prometheus collector of the worker, created from an injected registry (never the static
/// default one, so two workers in one process keep separate counts). Names follow
/// product.md §3.6: <c>vespa_worker_*</c>, units in the name, labels from fixed sets only.
/// </summary>
internal sealed class WorkerMetrics
{
    /// <summary>The kinds of <c>vespa_worker_workload_total</c> the worker uses.</summary>
    private static readonly string[] WorkloadKinds = ["received", "served", "cancelled", "errored", "rejected"];

    /// <summary>The reasons of <c>vespa_worker_unauthenticated_requests_total</c> the worker uses.</summary>
    private static readonly string[] UnauthenticatedReasons = ["no_credentials", "wrong_url", "no_public_key", "invalid_signature"];

    private static readonly double[] LatencyBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

    private readonly Counter _requests;
    private readonly Counter _workload;
    private readonly Counter _reports;
    private readonly Counter _unauthenticated;
    private readonly Counter _costAdjusted;

    // Labelled children resolved on first use and kept: WithLabels looks the label values up (and allocates) on every
    // call. Filled lazily so that /metrics shows the same series as before (a label appears once it is used).
    private readonly Counter.Child?[] _requestsByOutcome = new Counter.Child?[Enum.GetValues<RequestOutcome>().Length];
    private readonly Counter.Child?[] _workloadByKind = new Counter.Child?[WorkloadKinds.Length];
    private readonly Counter.Child?[] _unauthenticatedByReason = new Counter.Child?[UnauthenticatedReasons.Length];

    public WorkerMetrics(CollectorRegistry registry)
    {
        Registry = registry;
        var factory = Prometheus.Metrics.WithCustomRegistry(registry);
        _requests = factory.CreateCounter("vespa_worker_requests_total", "Requests handled by the worker, by outcome.", "outcome");
        InFlight = factory.CreateGauge("vespa_worker_requests_in_flight", "Admitted requests being forwarded or waiting for a slot.");
        QueueWait = factory.CreateHistogram("vespa_worker_queue_wait_seconds", "Time admitted requests waited for a concurrency slot.", new HistogramConfiguration { Buckets = LatencyBuckets });
        ForwardDuration = factory.CreateHistogram("vespa_worker_forward_duration_seconds", "Time from forwarding to the end of the relayed answer.", new HistogramConfiguration { Buckets = LatencyBuckets });
        TimeToFirstByte = factory.CreateHistogram("vespa_worker_time_to_first_byte_seconds", "Time from forwarding until the backend's response headers were relayed.", new HistogramConfiguration { Buckets = LatencyBuckets });
        RequestBytes = factory.CreateCounter("vespa_worker_request_bytes_total", "Request body bytes forwarded to the backend (buffered payloads).");
        ResponseBytes = factory.CreateCounter("vespa_worker_response_bytes_total", "Response body bytes relayed to clients.");
        _workload = factory.CreateCounter("vespa_worker_workload_total", "Workload units (auth_data.cost) by kind.", "kind");
        BackendHealthy = factory.CreateGauge("vespa_worker_backend_healthy", "1 when the last backend health check passed.");
        Ready = factory.CreateGauge("vespa_worker_ready", "1 once the worker is ready (healthy backend, throughput measured).");
        MaxThroughput = factory.CreateGauge("vespa_worker_max_throughput", "Benchmark throughput, workload units per second.");
        _reports = factory.CreateCounter("vespa_worker_autoscaler_reports_total", "Posts to the autoscaler by endpoint and result.", "endpoint", "result");
        _unauthenticated = factory.CreateCounter("vespa_worker_unauthenticated_requests_total", "Requests refused by the signature check (never reported to the autoscaler).", "reason");
        _costAdjusted = factory.CreateCounter("vespa_worker_cost_adjusted_total", "Signed requests served with another workload than their auth_data.cost (negative, above VESPA_MAX_COST, not a number).", "reason");
        foreach (var adjustment in new[] { Admission.CostAdjustment.Negative, Admission.CostAdjustment.AboveMax, Admission.CostAdjustment.NotANumber })
        {
            _costAdjusted.WithLabels(CostLabel(adjustment)).Publish(); // 0 from the start, so rate() and dashboards see the series
        }
        NonFiniteValues = factory.CreateCounter("vespa_worker_autoscaler_non_finite_values_total", "Non-finite numbers sent as 0.0 in reports to the autoscaler (the log names the field).");
        BackgroundLoopFailures = factory.CreateCounter("vespa_worker_background_loop_failures_total", "Failed iterations of the worker's background loops (the loop goes on), by loop.", "loop");
        FinishedDropped = factory.CreateCounter("vespa_worker_finished_records_dropped_total", "Finished-request records dropped because the autoscaler was unreachable too long.");
        FinishedPending = factory.CreateGauge("vespa_worker_finished_records_pending", "Finished-request records waiting for /delete_requests/.");
        EngineGeneratedTokens = factory.CreateCounter("vespa_worker_engine_generated_tokens_total", "Tokens generated by the embedded engine (rate() gives tokens per second).");
        EnginePromptTokens = factory.CreateCounter("vespa_worker_engine_prompt_tokens_total", "Prompt tokens decoded by the embedded engine.");
        EngineActiveSequences = factory.CreateGauge("vespa_worker_engine_active_sequences", "Sequences in the embedded engine's batch.");
        GcCommitted = factory.CreateGauge("vespa_worker_gc_committed_bytes", "Memory the .NET GC has committed (as of the last collection).");
        GcHeap = factory.CreateGauge("vespa_worker_gc_heap_bytes", "Bytes allocated on the managed heap now.");
        // Read at scrape time: a leak shows as a committed size that keeps growing (perf/soak samples these).
        registry.AddBeforeCollectCallback(() =>
        {
            GcCommitted.Set(GC.GetGCMemoryInfo().TotalCommittedBytes);
            GcHeap.Set(GC.GetTotalMemory(forceFullCollection: false));
        });
    }

    public Gauge GcCommitted { get; }

    public Gauge GcHeap { get; }

    public Counter EngineGeneratedTokens { get; }

    public Counter EnginePromptTokens { get; }

    public Gauge EngineActiveSequences { get; }

    public CollectorRegistry Registry { get; }

    public Gauge InFlight { get; }

    public Histogram QueueWait { get; }

    public Histogram ForwardDuration { get; }

    public Histogram TimeToFirstByte { get; }

    public Counter RequestBytes { get; }

    public Counter ResponseBytes { get; }

    public Gauge BackendHealthy { get; }

    public Gauge Ready { get; }

    public Gauge MaxThroughput { get; }

    public Counter FinishedDropped { get; }

    public Counter BackgroundLoopFailures { get; }

    public Gauge FinishedPending { get; }

    public void Request(RequestOutcome outcome) => Child(_requests, _requestsByOutcome, (int)outcome, Label(outcome)).Inc();

    public void Workload(string kind, double amount) =>
        Child(_workload, _workloadByKind, Array.IndexOf(WorkloadKinds, kind), kind).Inc(amount);

    public void Report(string endpoint, bool success) => _reports.WithLabels(endpoint, success ? "success" : "failure").Inc();

    public void Unauthenticated(string reason) =>
        Child(_unauthenticated, _unauthenticatedByReason, Array.IndexOf(UnauthenticatedReasons, reason), reason).Inc();

    public Counter NonFiniteValues { get; }

    public void CostAdjusted(Admission.CostAdjustment adjustment) => _costAdjusted.WithLabels(CostLabel(adjustment)).Inc();

    /// <summary>The child for <paramref name="label"/>, from <paramref name="cache"/> at <paramref name="index"/> when the
    /// label is one of the fixed set (a race creates the same child twice: WithLabels returns the one instance).</summary>
    private static Counter.Child Child(Counter counter, Counter.Child?[] cache, int index, string label)
    {
        if ((uint)index >= (uint)cache.Length)
        {
            return counter.WithLabels(label);
        }

        return cache[index] ??= counter.WithLabels(label);
    }

    private static string CostLabel(Admission.CostAdjustment adjustment) => adjustment switch
    {
        Admission.CostAdjustment.Negative => "negative",
        Admission.CostAdjustment.AboveMax => "above_max",
        _ => "not_a_number",
    };

    private static string Label(RequestOutcome outcome) => outcome switch
    {
        RequestOutcome.Success => "success",
        RequestOutcome.BackendError => "backend_error",
        RequestOutcome.Failed => "failed",
        RequestOutcome.Cancelled => "cancelled",
        RequestOutcome.RejectedQueueFull => "rejected_queue_full",
        RequestOutcome.RejectedNotReady => "rejected_not_ready",
        RequestOutcome.RejectedSessionLimit => "rejected_session_limit",
        RequestOutcome.Unauthenticated => "unauthenticated",
        RequestOutcome.Malformed => "malformed",
        RequestOutcome.Blocked => "blocked",
        RequestOutcome.TooLarge => "too_large",
        RequestOutcome.UnverifiedBudgetSpent => "rejected_unverified_budget",
        _ => "other",
    };
}
