namespace Vespa.Benchmarks.TestPlugin;

/// <summary>Implements the contract but has no parameterless constructor.</summary>
public sealed class NeedsArgumentBenchmark(double value) : IStartupBenchmark
{
    public string Name => "needs-argument";

    public Task<string> IdentifyAsync(BenchmarkContext context, CancellationToken cancellationToken) => Task.FromResult("needs-argument");

    public Task<BenchmarkResult> RunAsync(BenchmarkContext context, CancellationToken cancellationToken) =>
        Task.FromResult(new BenchmarkResult(value, [value], "requests/s"));
}
