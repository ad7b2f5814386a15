using System.Globalization;

namespace Vespa.Perf.Soak;

/// <summary>Reads a process's RSS, threads and open descriptors from <c>/proc</c>, and the GC figures from the worker's <c>/metrics</c>.</summary>
internal sealed class ProcessSampler
{
    private readonly int _pid;
    private readonly HttpClient _http;
    private readonly Uri _metrics;

    public ProcessSampler(int pid, HttpClient http, Uri worker)
    {
        _pid = pid;
        _http = http;
        _metrics = new Uri(worker, "/metrics");
    }

    public async Task<Sample> ReadAsync(double seconds, string phase, long requests, CancellationToken cancellationToken)
    {
        long rss = 0;
        var threads = 0;
        foreach (var line in await File.ReadAllLinesAsync($"/proc/{_pid}/status", cancellationToken))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("Threads:", StringComparison.Ordinal))
            {
                threads = int.Parse(line.Split('\t', ' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
            }
        }

        var fds = Directory.EnumerateFileSystemEntries($"/proc/{_pid}/fd").Count();
        long committed = -1;
        long heap = -1;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            var text = await _http.GetStringAsync(_metrics, timeout.Token);
            committed = Gauge(text, "vespa_worker_gc_committed_bytes");
            heap = Gauge(text, "vespa_worker_gc_heap_bytes");
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            // A scrape that failed leaves -1 in the CSV; the summary skips it.
        }

        return new Sample(seconds, phase, rss, committed, heap, fds, threads, requests);
    }

    private static long Gauge(string text, string name)
    {
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith(name + " ", StringComparison.Ordinal))
            {
                return (long)double.Parse(line[(name.Length + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture);
            }
        }

        return -1;
    }
}
