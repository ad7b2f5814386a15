namespace Vespa.Worker.Admission;

/// <summary>
/// The worker's load as the autoscaler sees it (vast-protocol.md §4–5): the requests at work
/// (in flight and queued), cumulative workload counters, and the finished requests waiting to be
/// reported to <c>/delete_requests/</c>. Only authenticated requests ever reach it, so forged
/// traffic cannot move a reported figure. One lock guards everything; each operation is O(1) or
/// O(working set) and never blocks on I/O.
/// </summary>
internal sealed class LoadTracker
{
    /// <summary>Finished requests kept for <c>/delete_requests/</c> during an autoscaler outage; older ones are dropped and counted.</summary>
    public const int MaxFinishedRecords = 100_000;

    /// <summary>Recent reqnums remembered to count distinct requests without unbounded memory (the SDK keeps all, forever).</summary>
    public const int ReqnumWindow = 65_536;

    private readonly object _lock = new();
    private readonly TimeProvider _time;
    private readonly HashSet<RequestRecord> _working = [];
    private readonly Queue<RequestRecord> _finished = new();
    private readonly HashSet<long> _recentReqnums = [];
    private readonly Queue<long> _reqnumOrder = new();
    private double _received;
    private double _served;
    private double _cancelled;
    private double _errored;
    private double _rejected;
    private double _currentLoad;
    private double _sessionLoad;
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

    /// <summary>
    /// Admits a request unless the estimated wait, (workload at work) / throughput, is above
    /// <paramref name="maxWaitSeconds"/>; the incoming request's own workload is not counted, as in
    /// the official workers. A rejected request is recorded as such.
    /// </summary>
    public AdmissionDecision TryAdmit(long? requestIdx, long? reqnum, double workload, double maxThroughput, double maxWaitSeconds)
    {
        var now = Now();
        lock (_lock)
        {
            // Open sessions count in cur_load but not in the wait estimate (they are reserved, not queued), as in the SDK.
            var wait = Math.Max(_currentLoad - _sessionLoad, 0) / Math.Max(maxThroughput, 1e-5);
            var record = new RequestRecord(requestIdx, reqnum, workload, now);
            CountDistinct(reqnum);
            if (wait > maxWaitSeconds)
            {
                RejectLocked(record, now);
                return new AdmissionDecision(null, wait);
            }

            _received += workload;
            _currentLoad += workload;
            _working.Add(record);
            return new AdmissionDecision(record, wait);
        }
    }

    /// <summary>Opens a session's load record: it is "working" (cur_load, working_request_idxs) until the session ends.</summary>
    public RequestRecord StartSession(long? requestIdx, long? reqnum, double workload)
    {
        var now = Now();
        lock (_lock)
        {
            var record = new RequestRecord(requestIdx, reqnum, workload, now) { IsSession = true, Status = RequestStatus.Started, WorkStartedAt = now };
            CountDistinct(reqnum);
            _received += workload;
            _currentLoad += workload;
            _sessionLoad += workload;
            _working.Add(record);
            return record;
        }
    }

    /// <summary>A request inside a session started: it adds to received load, never to the working set or deletes.</summary>
    public void StartSessionRequest(double workload)
    {
        lock (_lock)
        {
            _received += workload;
        }
    }

    /// <summary>A request inside a session ended.</summary>
    public void CompleteSessionRequest(double workload, RequestStatus status)
    {
        lock (_lock)
        {
            switch (status)
            {
                case RequestStatus.Success:
                    _served += workload;
                    break;
                case RequestStatus.Cancelled:
                    _cancelled += workload;
                    break;
                default:
                    _errored += workload;
                    break;
            }
        }
    }

    /// <summary>Records an authenticated request refused before it was admitted (worker not ready).</summary>
    public void Reject(long? requestIdx, long? reqnum, double workload)
    {
        var now = Now();
        lock (_lock)
        {
            CountDistinct(reqnum);
            RejectLocked(new RequestRecord(requestIdx, reqnum, workload, now), now);
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
        var now = Now();
        lock (_lock)
        {
            if (!_working.Remove(record))
            {
                return;
            }

            _currentLoad = Math.Max(0, _currentLoad - record.Workload);
            if (record.IsSession)
            {
                _sessionLoad = Math.Max(0, _sessionLoad - record.Workload);
            }

            if (_working.Count == 0)
            {
                _currentLoad = 0; // no drift from floating-point subtraction when idle
                _sessionLoad = 0;
            }

            record.Status = status;
            switch (status)
            {
                case RequestStatus.Success:
                    _served += record.Workload;
                    record.WorkCompletedAt = now;
                    break;
                case RequestStatus.Error:
                    _errored += record.Workload;
                    record.WorkCompletedAt = now;
                    break;
                case RequestStatus.Cancelled:
                    // The SDK leaves work_completed_at at 0 for cancels; so do we.
                    _cancelled += record.Workload;
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(status), status, "a request completes as Success, Error or Cancelled");
            }

            EnqueueFinished(record);
        }
    }

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

            return new LoadSnapshot(_received, _served, _cancelled, _errored, _rejected, _distinctRequests, _currentLoad, idxs, _working.Count);
        }
    }

    /// <summary>Copies up to <paramref name="max"/> of the oldest finished records, leaving them queued.</summary>
    public IReadOnlyList<RequestRecord> PeekFinished(int max)
    {
        lock (_lock)
        {
            return _finished.Take(max).ToArray();
        }
    }

    /// <summary>Removes the records a successful <c>/delete_requests/</c> post carried, wherever they are in the queue.</summary>
    public void RemoveFinished(IReadOnlyList<RequestRecord> sent)
    {
        lock (_lock)
        {
            var sentSet = new HashSet<RequestRecord>(sent);
            var count = _finished.Count;
            for (var i = 0; i < count; i++)
            {
                var record = _finished.Dequeue();
                if (!sentSet.Contains(record))
                {
                    _finished.Enqueue(record);
                }
            }
        }
    }

    private void RejectLocked(RequestRecord record, double now)
    {
        _ = now;
        record.Status = RequestStatus.Rejected;
        _rejected += record.Workload;
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
            _finished.Dequeue();
            _droppedFinished++;
        }

        _finished.Enqueue(record);
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
}
