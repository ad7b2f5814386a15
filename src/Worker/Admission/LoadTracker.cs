using System.Diagnostics;

namespace Vespa.Worker.Admission;

/// <summary>
/// The worker's load as the autoscaler sees it (vast-protocol.md §4–5): the requests at work
/// (in flight and queued), the workload counted in the current report interval, and the finished
/// requests waiting to be reported to <c>/delete_requests/</c>. Only authenticated requests ever
/// reach it, so forged traffic cannot move a reported figure. All workload arithmetic is exact
/// (<see cref="WorkloadUnits"/>), so small costs are never lost next to large ones and
/// <c>cur_load</c> is exactly 0 when idle. One lock guards everything; each operation is O(1),
/// O(working set) or O(batch), and never blocks on I/O.
/// </summary>
internal sealed class LoadTracker
{
    /// <summary>Finished requests kept for <c>/delete_requests/</c> during an autoscaler outage; older ones are dropped and counted.</summary>
    public const int MaxFinishedRecords = 100_000;

    /// <summary>Recent reqnums remembered to count distinct requests without unbounded memory (the SDK keeps all, forever).</summary>
    public const int ReqnumWindow = 65_536;

    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly HashSet<RequestRecord> _working = [];
    // A linked list so that a sent record is unlinked in O(1) wherever it is (shape A sends the
    // success and failure lists separately), and a batch costs O(batch) under the lock, never a
    // pass over the whole backlog.
    private readonly LinkedList<RequestRecord> _finished = new();
    private readonly HashSet<long> _recentReqnums = [];
    private readonly Queue<long> _reqnumOrder = new();
    private IntervalCounters _interval;
    private WorkloadUnits _currentLoad;
    private WorkloadUnits _sessionLoad;
    private int _sessionCount;
    private long _distinctRequests;
    private long _droppedFinished;

    public LoadTracker(TimeProvider time)
    {
        _time = time;
    }

    /// <summary>Finished records dropped because the queue was full (an autoscaler outage longer than the bound).</summary>
    public long DroppedFinishedRecords
    {
        get
        {
            lock (_lock)
            {
                return _droppedFinished;
            }
        }
    }

    public int PendingFinishedRecords
    {
        get
        {
            lock (_lock)
            {
                return _finished.Count;
            }
        }
    }

    /// <summary>Admitted requests still in flight or queued (open sessions not included).</summary>
    public int InFlightRequests
    {
        get
        {
            lock (_lock)
            {
                return _working.Count - _sessionCount;
            }
        }
    }

    /// <summary>
    /// Admits a request unless the estimated wait, (workload at work) / throughput, is above
    /// <paramref name="maxWaitSeconds"/>; the incoming request's own workload is not counted, as in
    /// the official workers. A rejected request is recorded as such. With <paramref name="startNow"/> (no slot to wait
    /// for) the request is also marked started under the same lock: one acquisition fewer per request than a separate
    /// <see cref="MarkStarted"/>.
    /// </summary>
    public AdmissionDecision TryAdmit(long? requestIdx, long? reqnum, double workload, double maxThroughput, double maxWaitSeconds, bool startNow = false)
    {
        var now = Now();
        var record = new RequestRecord(requestIdx, reqnum, workload, now);
        lock (_lock)
        {
            // Open sessions count in cur_load but not in the wait estimate (they are reserved, not queued), as in the SDK.
            var wait = (_currentLoad - _sessionLoad).ToDouble() / Math.Max(maxThroughput, 1e-5);
            CountDistinct(reqnum);
            if (wait > maxWaitSeconds)
            {
                RejectLocked(record);
                return new AdmissionDecision(null, wait);
            }

            _interval.Received += record.Units;
            _currentLoad += record.Units;
            _working.Add(record);
            if (startNow)
            {
                record.Status = RequestStatus.Started;
                record.WorkStartedAt = now;
            }

            return new AdmissionDecision(record, wait);
        }
    }

    /// <summary>Opens a session's load record: it is "working" (cur_load, working_request_idxs) until the session ends.</summary>
    public RequestRecord StartSession(long? requestIdx, long? reqnum, double workload)
    {
        var now = Now();
        var record = new RequestRecord(requestIdx, reqnum, workload, now) { IsSession = true, Status = RequestStatus.Started, WorkStartedAt = now };
        lock (_lock)
        {
            CountDistinct(reqnum);
            _interval.Received += record.Units;
            _currentLoad += record.Units;
            _sessionLoad += record.Units;
            _sessionCount++;
            _working.Add(record);
            return record;
        }
    }

    /// <summary>A request inside a session started: it adds to received load, never to the working set or deletes.</summary>
    public void StartSessionRequest(double workload)
    {
        var units = WorkloadUnits.FromDouble(workload);
        lock (_lock)
        {
            _interval.Received += units;
        }
    }

    /// <summary>A request inside a session ended.</summary>
    public void CompleteSessionRequest(double workload, RequestStatus status)
    {
        var units = WorkloadUnits.FromDouble(workload);
        lock (_lock)
        {
            _interval.Add(status, units);
        }
    }

    /// <summary>Records an authenticated request refused before it was admitted (worker not ready).</summary>
    public void Reject(long? requestIdx, long? reqnum, double workload)
    {
        var record = new RequestRecord(requestIdx, reqnum, workload, Now());
        lock (_lock)
        {
            CountDistinct(reqnum);
            RejectLocked(record);
        }
    }

    /// <summary>The request left the queue and is being forwarded.</summary>
    public void MarkStarted(RequestRecord record)
    {
        var now = Now();
        lock (_lock)
        {
            record.Status = RequestStatus.Started;
            record.WorkStartedAt = now;
        }
    }

    /// <summary>The request ended as <paramref name="status"/> (Success, Error or Cancelled).</summary>
    public void Complete(RequestRecord record, RequestStatus status)
    {
        if (status is not (RequestStatus.Success or RequestStatus.Error or RequestStatus.Cancelled))
        {
            throw new ArgumentOutOfRangeException(nameof(status), status, "a request completes as Success, Error or Cancelled");
        }

        var now = Now();
        lock (_lock)
        {
            if (!_working.Remove(record))
            {
                return;
            }

            _currentLoad -= record.Units;
            if (record.IsSession)
            {
                _sessionLoad -= record.Units;
                _sessionCount--;
            }

            // Exact arithmetic: an idle worker reports exactly 0, with no clamping needed.
            Debug.Assert(_working.Count > 0 || (_currentLoad.IsZero && _sessionLoad.IsZero), "load left over with nothing at work");

            record.Status = status;
            // The SDK leaves work_completed_at at 0 for cancels; so do we.
            if (status != RequestStatus.Cancelled)
            {
                record.WorkCompletedAt = now;
            }

            _interval.Add(status, record.Units);
            EnqueueFinished(record);
        }
    }

    /// <summary>The figures of the interval not yet acknowledged, and the work in progress now.</summary>
    public LoadSnapshot Snapshot()
    {
        lock (_lock)
        {
            var idxs = new List<long>(_working.Count);
            foreach (var record in _working)
            {
                if (record.RequestIdx is { } idx)
                {
                    idxs.Add(idx);
                }
            }

            return new LoadSnapshot(_interval.Received, _interval.Served, _interval.Cancelled, _interval.Errored, _interval.Rejected, _distinctRequests, _currentLoad, idxs, _working.Count);
        }
    }

    /// <summary>
    /// The autoscaler accepted a report built from <paramref name="sent"/>: exactly what it carried leaves the
    /// interval, and whatever was counted while it was on its way stays for the next report.
    /// </summary>
    public void Acknowledge(LoadSnapshot sent)
    {
        ArgumentNullException.ThrowIfNull(sent);
        lock (_lock)
        {
            _interval.Received -= sent.Received;
            _interval.Served -= sent.Served;
            _interval.Cancelled -= sent.Cancelled;
            _interval.Errored -= sent.Errored;
            _interval.Rejected -= sent.Rejected;
        }
    }

    /// <summary>Copies up to <paramref name="max"/> of the oldest finished records, leaving them queued. O(max).</summary>
    public IReadOnlyList<RequestRecord> PeekFinished(int max)
    {
        lock (_lock)
        {
            var batch = new List<RequestRecord>(Math.Min(max, _finished.Count));
            for (var node = _finished.First; node is not null && batch.Count < max; node = node.Next)
            {
                batch.Add(node.Value);
            }

            return batch;
        }
    }

    /// <summary>Removes the records a successful <c>/delete_requests/</c> post carried, wherever they are in the queue. O(sent).</summary>
    public void RemoveFinished(IReadOnlyList<RequestRecord> sent)
    {
        ArgumentNullException.ThrowIfNull(sent);
        lock (_lock)
        {
            foreach (var record in sent)
            {
                // A record the bound dropped while it was being sent is already unlinked.
                if (record.FinishedNode is { List: not null } node)
                {
                    _finished.Remove(node);
                }

                record.FinishedNode = null;
            }
        }
    }

    private void RejectLocked(RequestRecord record)
    {
        record.Status = RequestStatus.Rejected;
        _interval.Rejected += record.Units;
        EnqueueFinished(record);
    }

    private void EnqueueFinished(RequestRecord record)
    {
        if (record.RequestIdx is null)
        {
            return;
        }

        if (_finished.Count >= MaxFinishedRecords)
        {
            var oldest = _finished.First!;
            _finished.RemoveFirst();
            oldest.Value.FinishedNode = null;
            _droppedFinished++;
        }

        record.FinishedNode = _finished.AddLast(record);
    }

    private void CountDistinct(long? reqnum)
    {
        if (reqnum is not { } value)
        {
            _distinctRequests++;
            return;
        }

        if (!_recentReqnums.Add(value))
        {
            return;
        }

        _distinctRequests++;
        _reqnumOrder.Enqueue(value);
        if (_reqnumOrder.Count > ReqnumWindow)
        {
            _recentReqnums.Remove(_reqnumOrder.Dequeue());
        }
    }

    private double Now() => _time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0;

    /// <summary>Workload counted since the last acknowledged report, by kind.</summary>
    private struct IntervalCounters
    {
        public WorkloadUnits Received;
        public WorkloadUnits Served;
        public WorkloadUnits Cancelled;
        public WorkloadUnits Errored;
        public WorkloadUnits Rejected;

        public void Add(RequestStatus status, WorkloadUnits units)
        {
            switch (status)
            {
                case RequestStatus.Success:
                    Served += units;
                    break;
                case RequestStatus.Cancelled:
                    Cancelled += units;
                    break;
                default:
                    Errored += units;
                    break;
            }
        }
    }
}
