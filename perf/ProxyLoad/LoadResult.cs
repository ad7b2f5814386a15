namespace Vespa.Perf.ProxyLoad;

/// <summary>One measured run: throughput and latency percentiles in milliseconds.</summary>
internal sealed record LoadResult(string Target, int Concurrency, long Requests, long Errors, double Seconds, double P50, double P99)
{
    public double RequestsPerSecond => Requests / Seconds;

    public static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Count) - 1, 0, sorted.Count - 1)];
}
