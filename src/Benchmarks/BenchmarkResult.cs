namespace Vespa.Benchmarks;

/// <summary>The outcome of a benchmark.</summary>
/// <param name="MaxThroughput">The best run, in workload units per second; always finite and positive.</param>
/// <param name="RunThroughputs">Every run's throughput, in order.</param>
/// <param name="Unit">What the units are, e.g. <c>tokens/s</c> or <c>workload/s</c>.</param>
public sealed record BenchmarkResult(double MaxThroughput, IReadOnlyList<double> RunThroughputs, string Unit);
