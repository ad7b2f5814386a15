using Vespa.Testing;
using Vespa.Worker.Tests.Infrastructure;

namespace Vespa.Worker.Tests.Faults;

/// <summary>
/// What must hold once a fault is over and the worker is idle: the counters are exact (every finished request in
/// <c>/delete_requests/</c> once, with its status; <c>new_load</c> and <c>cur_perf</c> summed over all reports equal
/// to the workload sent and served; <c>cur_load</c> back to exactly 0), the Prometheus counters match, and nothing
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
            Assert.Equal(records[0].Status == "Success", records[0].Success);
        }

        Assert.All(deleted, d => Assert.Contains(d.RequestIdx, Statuses.Keys));
        var reports = h.StatusReports;
        Assert.Equal(Received, reports.Sum(r => r.NewLoad));
        Assert.Equal(Served, reports.Sum(r => r.CurPerf));

        // 4. Nothing leaked inside the worker.
        Assert.Equal(0, h.Load.DroppedFinishedRecords);
        Assert.Equal(h.MaxConcurrency, h.Admission.FreeSlots);
        Assert.Equal(0, h.Budget.InUse);

        // 5. Prometheus agrees.
        var samples = PrometheusSample.Parse(await h.Worker.Client.GetStringAsync("/metrics").DefaultTimeout());
        Assert.Equal(0, samples.Single(s => s.Name == "vespa_worker_requests_in_flight").Value);
        foreach (var (outcome, count) in Outcomes)
        {
            var value = samples.Where(s => s.Name == "vespa_worker_requests_total" && s.Labels.TryGetValue("outcome", out var o) && outcome.Split('|').Contains(o)).Sum(s => s.Value);
            Assert.True(count == value, $"vespa_worker_requests_total{{outcome=\"{outcome}\"}} is {value}, expected {count}");
        }
    }
}
