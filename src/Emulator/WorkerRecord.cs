namespace Vespa.Emulator;

/// <summary>What <see cref="WorkerRegistry"/> keeps about one worker. Guarded by the registry's lock.</summary>
internal sealed class WorkerRecord(string key)
{
    /// <summary>How many gaps between reports the expected interval looks back over.</summary>
    private const int GapWindow = 8;

    private readonly Queue<TimeSpan> _gaps = new(GapWindow);

    public string Key { get; } = key;

    public bool Registered { get; set; }

    public WorkerStatusReport? LastReport { get; private set; }

    public bool Stale { get; set; }

    public long Reports { get; private set; }

    public long Routes { get; set; }

    public double NewLoad { get; private set; }

    public double RejLoad { get; private set; }

    public double CurPerf { get; private set; }

    public long DeletedOk { get; set; }

    public long DeletedFailed { get; set; }

    /// <summary>The longest of the recent gaps between reports (a worker that reports every second, or every ten when
    /// idle like the Python workers, is judged by its slowest recent cadence), or <paramref name="fallback"/>.</summary>
    public TimeSpan ExpectedInterval(TimeSpan fallback) => _gaps.Count == 0 ? fallback : _gaps.Max();

    public TimeSpan StaleAfter(StalePolicy policy)
    {
        var missed = ExpectedInterval(policy.DefaultInterval) * policy.MissedReports;
        return missed > policy.Minimum ? missed : policy.Minimum;
    }

    public void Add(WorkerStatusReport report)
    {
        if (LastReport is { } previous)
        {
            var gap = report.ReceivedAt - previous.ReceivedAt;
            if (_gaps.Count == GapWindow)
            {
                _gaps.Dequeue();
            }

            _gaps.Enqueue(gap > TimeSpan.Zero ? gap : TimeSpan.Zero);
        }

        LastReport = report;
        Reports++;
        NewLoad += report.NewLoad;
        RejLoad += report.RejLoad;
        CurPerf += report.CurPerf;
    }

    public EmulatedWorker Snapshot(DateTimeOffset now, StalePolicy policy, bool eligible)
    {
        var state = Stale ? EmulatedWorkerState.Stale
            : LastReport is not { } report ? EmulatedWorkerState.Registered
            : report.ErrorMsg.Length > 0 ? EmulatedWorkerState.Error
            : report.LoadTime > 0 ? EmulatedWorkerState.Ready
            : EmulatedWorkerState.Loading;
        var silent = LastReport is { } last ? now - last.ReceivedAt : (TimeSpan?)null;
        return new EmulatedWorker(
            Key,
            Registered,
            state,
            eligible,
            LastReport,
            silent < TimeSpan.Zero ? TimeSpan.Zero : silent,
            ExpectedInterval(policy.DefaultInterval),
            StaleAfter(policy),
            new WorkerTotals(Reports, Routes, NewLoad, RejLoad, CurPerf, DeletedOk, DeletedFailed));
    }
}
