namespace Vespa.Benchmarks;

/// <summary>
/// A benchmark measured nothing usable: the warm-up failed, a run had no successful response, or
/// the result was not a positive, finite throughput. The message names the benchmark and what
/// failed (status codes, the start of the first error body).
/// </summary>
public sealed class BenchmarkFailedException : Exception
{
    public BenchmarkFailedException()
        : base("The benchmark failed.")
    {
    }

    public BenchmarkFailedException(string message)
        : base(message)
    {
    }

    public BenchmarkFailedException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Builds "Benchmark '<paramref name="benchmark"/>' failed: <paramref name="reason"/>".</summary>
    public BenchmarkFailedException(string benchmark, string reason, Exception? innerException)
        : base($"Benchmark '{benchmark}' failed: {reason}", innerException)
    {
        Benchmark = benchmark;
        Reason = reason;
    }

    /// <summary>The benchmark's name, when known.</summary>
    public string? Benchmark { get; }

    /// <summary>What failed, without the "Benchmark 'x' failed" prefix, when known.</summary>
    public string? Reason { get; }
}
