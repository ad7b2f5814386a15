using Prometheus;

namespace Vespa.Worker.Metrics;

/// <summary>
/// Every Prometheus collector of the worker, created from an injected registry (never the static
/// default one, so two workers in one process keep separate counts). Names follow
/// product.md §3.6: <c>vespa_worker_*</c>, units in the name, labels from fixed sets only.
/// </summary>
internal sealed class WorkerMetrics
{
    private static readonly double[] LatencyBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

    private readonly Counter _requests;
    private readonly Counter _workload;
    private readonly Counter _reports;
    private readonly Counter _unauthenticated;

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
        FinishedDropped = factory.CreateCounter("vespa_worker_finished_records_dropped_total", "Finished-request records dropped because the autoscaler was unreachable too long.");
        FinishedPending = factory.CreateGauge("vespa_worker_finished_records_pending", "Finished-request records waiting for /delete_requests/.");
    }

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

    public Gauge FinishedPending { get; }

    public void Request(RequestOutcome outcome) => _requests.WithLabels(Label(outcome)).Inc();

    public void Workload(string kind, double amount) => _workload.WithLabels(kind).Inc(amount);

    public void Report(string endpoint, bool success) => _reports.WithLabels(endpoint, success ? "success" : "failure").Inc();

    public void Unauthenticated(string reason) => _unauthenticated.WithLabels(reason).Inc();

    private static string Label(RequestOutcome outcome) => outcome switch
    {
        RequestOutcome.Success => "success",
        RequestOutcome.BackendError => "backend_error",
        RequestOutcome.Failed => "failed",
        RequestOutcome.Cancelled => "cancelled",
        RequestOutcome.RejectedQueueFull => "rejected_queue_full",
        RequestOutcome.RejectedNotReady => "rejected_not_ready",
        RequestOutcome.Unauthenticated => "unauthenticated",
        RequestOutcome.Malformed => "malformed",
        RequestOutcome.Blocked => "blocked",
        RequestOutcome.TooLarge => "too_large",
        _ => "other",
    };
}
