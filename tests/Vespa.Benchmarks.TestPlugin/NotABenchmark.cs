namespace Vespa.Benchmarks.TestPlugin;

/// <summary>A public type that does not implement the contract.</summary>
public sealed class NotABenchmark
{
    public double Throughput { get; set; } = 1.0;
}
