using System.Globalization;
using System.Text;

namespace Vespa.Perf.Soak;

/// <summary>Writes the samples as CSV and the markdown summary: start, end, min, max and slope of each series.</summary>
internal static class SoakReport
{
    /// <summary>Samples in the first minute of traffic are the warm-up (JIT, pools, GC budget); the slope after it is the verdict.</summary>
    public static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(60);

    private static readonly (string Name, string Unit, Func<Sample, double> Value)[] Series =
    [
        ("RSS", "MiB", s => s.RssKiB / 1024.0),
        ("GC committed", "MiB", s => s.GcCommittedBytes / 1048576.0),
        ("GC heap", "MiB", s => s.GcHeapBytes / 1048576.0),
        ("open fds", "", s => s.OpenFds),
        ("threads", "", s => s.Threads),
    ];

    public static async Task WriteCsvAsync(string path, IReadOnlyList<Sample> samples)
    {
        var csv = new StringBuilder("seconds,phase,rss_kib,gc_committed_bytes,gc_heap_bytes,open_fds,threads,requests_done\n");
        foreach (var s in samples)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{s.Seconds:0.0},{s.Phase},{s.RssKiB},{s.GcCommittedBytes},{s.GcHeapBytes},{s.OpenFds},{s.Threads},{s.Requests}\n");
        }

        await File.WriteAllTextAsync(path, csv.ToString());
    }

    public static async Task WriteMarkdownAsync(string path, SoakRun run, IReadOnlyList<Sample> samples)
    {
        var traffic = samples.Where(s => s.Phase == "traffic").ToList();
        var idle = samples.Where(s => s.Phase == "idle").ToList();
        var settled = traffic.Where(s => s.Seconds >= WarmUp.TotalSeconds).ToList();
        var md = new StringBuilder();
        md.Append("# Soak: the real worker under mixed traffic\n\n");
        md.Append(CultureInfo.InvariantCulture, $"- Date: {run.Started:yyyy-MM-dd HH:mm} UTC; commit `{run.Commit}`; machine: {Environment.ProcessorCount} cores, shared with other builds (figures are about flatness, not throughput).\n");
        md.Append(CultureInfo.InvariantCulture, $"- Command: `{run.Command}`\n");
        md.Append(CultureInfo.InvariantCulture, $"- Worker: Release `vespa-worker.dll` as its own process on 127.0.0.1, secured, `VESPA_MAX_CONCURRENCY={run.MaxConcurrency}`, `VESPA_MAX_BODY_BYTES={run.MaxBodyBytes}`; backend and autoscaler emulator on loopback in the driver's process.\n");
        md.Append(CultureInfo.InvariantCulture, $"- Traffic: {run.Callers} callers at {run.PerSecond:0.#} requests/s together for {run.TrafficSeconds:0} s ({traffic.LastOrDefault()?.Requests ?? 0} requests), then {idle.Count} s idle. Sampled every second: `/proc/<pid>/status` (VmRSS, Threads), `/proc/<pid>/fd`, and `vespa_worker_gc_committed_bytes` / `vespa_worker_gc_heap_bytes` from `/metrics`. Samples: [`soak.csv`](soak.csv).\n\n");

        md.Append("## Series\n\n");
        md.Append("Start is the first sample under traffic, end the last; slope is a least-squares fit over the traffic after the first ");
        md.Append(CultureInfo.InvariantCulture, $"{WarmUp.TotalSeconds:0} s (warm-up), per 10 minutes; idle is the last sample after the traffic stopped.\n\n");
        md.Append("| series | start | end | min | max | slope after warm-up (per 10 min) | idle |\n|---|---:|---:|---:|---:|---:|---:|\n");
        foreach (var (name, unit, value) in Series)
        {
            var points = traffic.Where(s => Valid(s, name)).ToList();
            if (points.Count == 0)
            {
                continue;
            }

            var fit = settled.Where(s => Valid(s, name)).ToList();
            var slope = Slope(fit, value) * 600;
            var last = idle.LastOrDefault(s => Valid(s, name));
            md.Append(CultureInfo.InvariantCulture, $"| {name}{(unit.Length > 0 ? " (" + unit + ")" : "")} | {value(points[0]):0.#} | {value(points[^1]):0.#} | {points.Min(value):0.#} | {points.Max(value):0.#} | {slope:+0.##;-0.##;0} | {(last is null ? "-" : value(last).ToString("0.#", CultureInfo.InvariantCulture))} |\n");
        }

        md.Append("\n## Answers by kind\n\n| kind | answer | count |\n|---|---|---:|\n");
        foreach (var (key, count) in run.Answers.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            var split = key.IndexOf(' ', StringComparison.Ordinal);
            md.Append(CultureInfo.InvariantCulture, $"| {key[..split]} | {key[(split + 1)..]} | {count} |\n");
        }

        md.Append("\n## Accounting at the end\n\n");
        md.Append(CultureInfo.InvariantCulture, $"- Signed requests admitted (whole body sent): {run.Admitted}; finished records the emulator accepted in `/delete_requests/`: {run.DeleteRecords} ({run.DistinctDeleteRecords} distinct, {run.MissingDeleteRecords} missing, {run.UnexpectedDeleteRecords} not sent by the driver).\n");
        md.Append(CultureInfo.InvariantCulture, $"- Last status report before the stop: `cur_load` {run.LastCurLoad}, `num_requests_working` {run.LastWorking}, `error_msg` \"{run.LastErrorMsg}\".\n");
        md.Append(CultureInfo.InvariantCulture, $"- Worker exit code after SIGTERM: {run.ExitCode}.\n");
        await File.WriteAllTextAsync(path, md.ToString());
    }

    private static bool Valid(Sample s, string series) => series switch
    {
        "GC committed" => s.GcCommittedBytes >= 0,
        "GC heap" => s.GcHeapBytes >= 0,
        _ => true,
    };

    /// <summary>Least-squares slope of <paramref name="value"/> over seconds; 0 with fewer than two points.</summary>
    private static double Slope(List<Sample> points, Func<Sample, double> value)
    {
        if (points.Count < 2)
        {
            return 0;
        }

        var meanX = points.Average(p => p.Seconds);
        var meanY = points.Average(value);
        var numerator = points.Sum(p => (p.Seconds - meanX) * (value(p) - meanY));
        var denominator = points.Sum(p => (p.Seconds - meanX) * (p.Seconds - meanX));
        return denominator == 0 ? 0 : numerator / denominator;
    }
}
