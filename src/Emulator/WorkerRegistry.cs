using System.Globalization;

namespace Vespa.Emulator;

/// <summary>
/// The workers the emulator knows: those registered explicitly, and those that report. <c>/route/</c> picks
/// round-robin over the eligible ones, in a stable order (registered first, then by first report): a registered
/// worker, or one whose latest <c>/worker_status/</c> says it is ready (<see cref="WorkerStatusReport.IsReady"/>),
/// unless it has gone stale — silent for longer than its <see cref="StalePolicy"/> allows — until it reports again.
/// Keeps each worker's running totals, and returns the changes the event log records. Thread-safe.
/// </summary>
internal sealed class WorkerRegistry(TimeProvider time, StalePolicy policy)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, WorkerRecord> _records = new(StringComparer.Ordinal);
    private readonly List<string> _registered = [];
    private readonly List<string> _reportOrder = [];
    private readonly List<string> _order = [];
    private long _next;

    /// <summary>The form a worker URL takes in route answers: scheme, authority and path, no trailing slash (clients
    /// append the route path to it, vast-protocol.md §7.3).</summary>
    public static string Normalize(Uri workerUrl)
    {
        ArgumentNullException.ThrowIfNull(workerUrl);
        if (!workerUrl.IsAbsoluteUri || (workerUrl.Scheme != Uri.UriSchemeHttp && workerUrl.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"A worker URL must be an absolute http or https URL, not '{workerUrl}'.", nameof(workerUrl));
        }

        return workerUrl.GetLeftPart(UriPartial.Path).TrimEnd('/');
    }

    /// <summary>The key a report is filed under: its url without a trailing slash (what a registered URL becomes), or
    /// <c>id:N</c> when it sends no url.</summary>
    public static string KeyOf(WorkerStatusReport report) => report.Url.Length > 0 ? report.Url.TrimEnd('/') : report.WorkerKey;

    public IReadOnlyList<string> Registered
    {
        get
        {
            lock (_lock)
            {
                return [.. _registered];
            }
        }
    }

    /// <summary>Registers a worker; <c>true</c> when it was not registered before.</summary>
    public bool Register(Uri workerUrl)
    {
        var url = Normalize(workerUrl);
        lock (_lock)
        {
            if (_registered.Contains(url))
            {
                return false;
            }

            _registered.Add(url);
            GetOrAdd(url).Registered = true;
            return true;
        }
    }

    public bool Unregister(Uri workerUrl)
    {
        var url = Normalize(workerUrl);
        lock (_lock)
        {
            if (!_registered.Remove(url))
            {
                return false;
            }

            var record = _records[url];
            record.Registered = false;
            if (record.LastReport is null)
            {
                _records.Remove(url);
                _order.Remove(url);
            }

            return true;
        }
    }

    /// <summary>Files an accepted report; returns what changed (first report, ready, error, back from stale).</summary>
    public IReadOnlyList<WorkerTransition> Record(WorkerStatusReport report)
    {
        var key = KeyOf(report);
        var changes = new List<WorkerTransition>(2);
        lock (_lock)
        {
            var record = GetOrAdd(key);
            var previous = record.LastReport;
            if (previous is null)
            {
                _reportOrder.Add(key);
                changes.Add(new(EmulatorEventKind.WorkerJoined, key, $"{key}: first report{IdText(report)}, {(report.LoadTime > 0 ? "loaded" : "loading")}"));
            }

            if (record.Stale)
            {
                record.Stale = false;
                var silent = previous is null ? TimeSpan.Zero : report.ReceivedAt - previous.ReceivedAt;
                changes.Add(new(EmulatorEventKind.WorkerBack, key, $"{key} reports again after {Seconds(silent)} silent; routes may pick it again"));
            }

            record.Add(report);
            if (report.IsReady && previous?.IsReady != true)
            {
                changes.Add(new(EmulatorEventKind.WorkerReady, key, string.Create(CultureInfo.InvariantCulture, $"{key} is ready (loadtime {report.LoadTime:0.###} s, max_perf {report.MaxPerf:0.###})")));
            }

            if (report.ErrorMsg.Length > 0 && report.ErrorMsg != previous?.ErrorMsg)
            {
                changes.Add(new(EmulatorEventKind.WorkerError, key, $"{key} reports an error: {report.ErrorMsg}"));
            }
        }

        return changes;
    }

    /// <summary>Counts a delete report's records for the worker whose latest report has its <c>worker_id</c>; returns
    /// that worker's key, or <c>null</c> when no reporting worker has that id.</summary>
    public string? RecordDeletes(DeleteRequestsReport report)
    {
        lock (_lock)
        {
            WorkerRecord? match = null;
            foreach (var key in _reportOrder)
            {
                var record = _records[key];
                if (report.WorkerId is { } id && record.LastReport?.Id == id && (match is null || record.LastReport.ReceivedAt > match.LastReport!.ReceivedAt))
                {
                    match = record;
                }
            }

            if (match is null)
            {
                return null;
            }

            foreach (var request in report.Requests)
            {
                if (request.Success)
                {
                    match.DeletedOk++;
                }
                else
                {
                    match.DeletedFailed++;
                }
            }

            return match.Key;
        }
    }

    /// <summary>Marks the workers that have been silent past their limit as stale; returns them.</summary>
    public IReadOnlyList<WorkerTransition> RefreshStale()
    {
        var now = time.GetUtcNow();
        List<WorkerTransition>? changes = null;
        lock (_lock)
        {
            foreach (var record in _records.Values)
            {
                if (record.Stale || record.LastReport is not { } last)
                {
                    continue;
                }

                var silent = now - last.ReceivedAt;
                var limit = record.StaleAfter(policy);
                if (silent > limit)
                {
                    record.Stale = true;
                    (changes ??= []).Add(new(
                        EmulatorEventKind.WorkerStale,
                        record.Key,
                        $"{record.Key} is stale: no report for {Seconds(silent)} (expected every {Seconds(record.ExpectedInterval(policy.DefaultInterval))}, limit {Seconds(limit)}); routes skip it"));
                }
            }
        }

        return changes ?? (IReadOnlyList<WorkerTransition>)[];
    }

    /// <summary>The latest report of each worker that has reported, in order of first report.</summary>
    public IReadOnlyList<WorkerStatusReport> Latest()
    {
        lock (_lock)
        {
            return [.. _reportOrder.Select(key => _records[key].LastReport!)];
        }
    }

    public IReadOnlyList<string> Eligible()
    {
        lock (_lock)
        {
            return EligibleLocked();
        }
    }

    /// <summary>Every known worker, registered or reporting, in order of first appearance.</summary>
    public IReadOnlyList<EmulatedWorker> Snapshot()
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            var eligible = EligibleLocked();
            return [.. _order.Select(key => _records[key]).Select(r => r.Snapshot(now, policy, eligible.Contains(r.Key)))];
        }
    }

    /// <summary>The next eligible worker URL, round-robin, or <c>null</c> when none is eligible; counts the route.</summary>
    public string? Pick()
    {
        lock (_lock)
        {
            var eligible = EligibleLocked();
            if (eligible.Count == 0)
            {
                return null;
            }

            var index = (int)(_next++ % eligible.Count);
            var url = eligible[index];
            _records[url].Routes++;
            return url;
        }
    }

    /// <summary>How many known workers are stale now.</summary>
    public int StaleCount()
    {
        lock (_lock)
        {
            return _records.Values.Count(r => r.Stale);
        }
    }

    private List<string> EligibleLocked()
    {
        var result = new List<string>(_registered.Count + _reportOrder.Count);
        foreach (var url in _registered)
        {
            if (!_records[url].Stale)
            {
                result.Add(url);
            }
        }

        foreach (var key in _reportOrder)
        {
            var record = _records[key];
            var report = record.LastReport!;
            if (!record.Stale && report.IsReady && report.Url.Length > 0 && !result.Contains(key) && !record.Registered)
            {
                result.Add(key);
            }
        }

        return result;
    }

    private WorkerRecord GetOrAdd(string key)
    {
        if (!_records.TryGetValue(key, out var record))
        {
            record = new WorkerRecord(key);
            _records.Add(key, record);
            _order.Add(key);
        }

        return record;
    }

    private static string IdText(WorkerStatusReport report) =>
        report.Id is { } id ? " (id " + id.ToString(CultureInfo.InvariantCulture) + ")" : "";

    internal static string Seconds(TimeSpan span) =>
        span.TotalSeconds.ToString(span.TotalSeconds < 100 ? "0.0" : "0", CultureInfo.InvariantCulture) + " s";
}
