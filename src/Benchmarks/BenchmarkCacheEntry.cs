namespace Vespa.Benchmarks;

/// <summary>One measured throughput as recorded in the benchmark cache file.</summary>
/// <param name="Benchmark">The benchmark's <see cref="IStartupBenchmark.Name"/>.</param>
/// <param name="Identity">What was measured (the worker's combination of the benchmark identity and the backend).</param>
/// <param name="MaxThroughput">The figure reported to the autoscaler as <c>max_perf</c>.</param>
/// <param name="RunThroughputs">Every run's throughput.</param>
/// <param name="Unit">The unit, e.g. <c>tokens/s</c>.</param>
/// <param name="MeasuredAt">When it was measured.</param>
public sealed record BenchmarkCacheEntry(
    string Benchmark,
    string Identity,
    double MaxThroughput,
    IReadOnlyList<double> RunThroughputs,
    string Unit,
    DateTimeOffset MeasuredAt);
