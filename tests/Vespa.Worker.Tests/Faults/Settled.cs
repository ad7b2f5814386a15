using Vespa.Testing;
using Vespa.Worker.Tests.Infrastructure;

namespace Vespa.Worker.Tests.Faults;

/// <summary>
/// What must hold once a fault is over and the worker is idle: the counters are exact (every finished request in
/// <c>/delete_requests/</c> once, with its status; <c>cur_perf</c> summed over all reports equal to the workload
/// served, <c>new_load</c> to the workload received less what was cancelled; <c>cur_load</c> back to exactly 0), the
/// Prometheus counters match (requests by outcome, workload by kind), and nothing
/// leaks (no request in flight or queued, every concurrency slot free, no unverified body bytes held, no finished
/// record pending or dropped).
/// </summary>
internal sealed record Settled
{
    /// <summary>
    /// Every request_idx that must be reported finished, with its status (Success, Error, Cancelled, Rejected), or
    /// alternatives as <c>Cancelled|Error</c> where the race between a client's reset and the body copy decides.
    /// </summary>
    public required IReadOnlyDictionary<long, string> Statuses { get; init; }

    /// <summary>Workload that must be counted received (<c>new_load</c> summed).</summary>
    public required double Received { get; init; }

    /// <summary>Workload that must be counted served (<c>cur_perf</c> summed).</summary>
    public required double Served { get; init; }

    /// <summary>Workload of cancelled requests; null when a race decides between cancelled and errored.</summary>
    public double? Cancelled { get; init; } = 0;

    /// <summary><c>vespa_worker_requests_total</c> by outcome label (<c>cancelled|failed</c>: the sum of both); outcomes not named are not checked.</summary>
    public IReadOnlyDictionary<string, double> Outcomes { get; init; } = new Dictionary<string, double>();

    public async Task AssertAsync(FaultHarness h)
    {
        ArgumentNullException.ThrowIfNull(h);

        // 1. Idle: nothing admitted is still at work or queued.
        await TaskTimeoutExtensions.WaitUntilAsync(() => h.Load.InFlightRequests == 0 && h.Admission.QueuedRequests == 0, "no request in flight or queued");

        // 2. Every finished request acknowledged by the autoscaler.
        await TaskTimeoutExtensions.WaitUntilAsync(
            () => h.Load.PendingFinishedRecords == 0 && Statuses.Keys.All(idx => h.Deleted.Any(d => d.RequestIdx == idx)),
            "every finished request in delete_requests: " + string.Join(',', Statuses.Keys));

        // 3. Two more accepted reports: the second was built after everything above finished.
        var emulator = h.Emulator ?? throw new InvalidOperationException("the emulator is stopped");
        var seen = emulator.StatusReports.Count;
        await TaskTimeoutExtensions.WaitUntilAsync(() => emulator.StatusReports.Count >= seen + 2, "two more status reports");

        var latest = emulator.StatusReports[^1];
        Assert.Equal(0, latest.CurLoad);
        Assert.Equal(0, latest.NumRequestsWorking);
        Assert.Empty(latest.WorkingRequestIdxs);
        Assert.Equal("", latest.ErrorMsg);

        var deleted = h.Deleted;
        foreach (var (idx, status) in Statuses)
        {
            var records = deleted.Where(d => d.RequestIdx == idx).ToList();
            Assert.True(records.Count == 1, $"request_idx {idx} reported {records.Count} times");
            Assert.Contains(records[0].Status, status.Split('|'));
            // As the SDK: a cancel is reported with success true.
            Assert.Equal(records[0].Status is "Success" or "Cancelled", records[0].Success);
        }

        Assert.All(deleted, d => Assert.Contains(d.RequestIdx, Statuses.Keys));
        var reports = h.StatusReports;
        Assert.Equal(Served, reports.Sum(r => r.CurPerf));
        // new_load is max(received - cancelled, 0) per interval (the SDK's workload_processing): a request received in one
        // interval and cancelled in a later one can leave the sum above received - cancelled, never above received.
        var newLoad = reports.Sum(r => r.NewLoad);
        if (Cancelled == 0)
        {
            Assert.Equal(Received, newLoad);
        }
        else
        {
            Assert.InRange(newLoad, Received - (Cancelled ?? Received - Served), Received);
        }

        // 4. Nothing leaked inside the worker.
        Assert.Equal(0, h.Load.DroppedFinishedRecords);
        Assert.Equal(h.MaxConcurrency, h.Admission.FreeSlots);
        Assert.Equal(0, h.Budget.InUse);

        // 5. Prometheus agrees.
        var samples = PrometheusSample.Parse(await h.Worker.Client.GetStringAsync("/metrics").DefaultTimeout());
        Assert.Equal(0, samples.Single(s => s.Name == "vespa_worker_requests_in_flight").Value);
        Assert.Equal(Received, Workload(samples, "received"));
        Assert.Equal(Served, Workload(samples, "served"));
        if (Cancelled is { } cancelled)
        {
            Assert.Equal(cancelled, Workload(samples, "cancelled"));
        }

        Assert.Equal(Received - Served, Workload(samples, "cancelled") + Workload(samples, "errored"));
        foreach (var (outcome, count) in Outcomes)
        {
            var value = samples.Where(s => s.Name == "vespa_worker_requests_total" && s.Labels.TryGetValue("outcome", out var o) && outcome.Split('|').Contains(o)).Sum(s => s.Value);
            Assert.True(count == value, $"vespa_worker_requests_total{{outcome=\"{outcome}\"}} is {value}, expected {count}");
        }
    }

    private static double Workload(IReadOnlyList<PrometheusSample> samples, string kind) =>
        samples.Where(s => s.Name == "vespa_worker_workload_total" && s.Labels.TryGetValue("kind", out var k) && k == kind).Sum(s => s.Value);
}
