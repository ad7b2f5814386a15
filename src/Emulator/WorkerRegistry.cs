namespace Vespa.Emulator;

/// <summary>
/// The workers <c>/route/</c> may pick: those registered explicitly, and those whose latest <c>/worker_status/</c>
/// says they are ready (<see cref="WorkerStatusReport.IsReady"/>). Picks round-robin over the eligible ones, in a
/// stable order (registered first, then by first report). Thread-safe.
/// </summary>
internal sealed class WorkerRegistry
{
    private readonly Lock _lock = new();
    private readonly List<string> _registered = [];
    private readonly Dictionary<string, WorkerStatusReport> _latest = new(StringComparer.Ordinal);
    private readonly List<string> _reportOrder = [];
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

    public void Register(Uri workerUrl)
    {
        var url = Normalize(workerUrl);
        lock (_lock)
        {
            if (!_registered.Contains(url))
            {
                _registered.Add(url);
            }
        }
    }

    public bool Unregister(Uri workerUrl)
    {
        var url = Normalize(workerUrl);
        lock (_lock)
        {
            return _registered.Remove(url);
        }
    }

    public void Record(WorkerStatusReport report)
    {
        var key = report.WorkerKey;
        lock (_lock)
        {
            if (!_latest.ContainsKey(key))
            {
                _reportOrder.Add(key);
            }

            _latest[key] = report;
        }
    }

    /// <summary>The latest report of each worker that has reported, in order of first report.</summary>
    public IReadOnlyList<WorkerStatusReport> Latest()
    {
        lock (_lock)
        {
            return [.. _reportOrder.Select(key => _latest[key])];
        }
    }

    public IReadOnlyList<string> Eligible()
    {
        lock (_lock)
        {
            return EligibleLocked();
        }
    }

    /// <summary>The next eligible worker URL, round-robin, or <c>null</c> when none is eligible.</summary>
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
            return eligible[index];
        }
    }

    private List<string> EligibleLocked()
    {
        var result = new List<string>(_registered);
        foreach (var key in _reportOrder)
        {
            var report = _latest[key];
            var url = report.Url.TrimEnd('/');
            if (report.IsReady && url.Length > 0 && !result.Contains(url))
            {
                result.Add(url);
            }
        }

        return result;
    }
}
