namespace Vespa.Benchmarks.TestPlugin;

/// <summary>Fails with an exception of its own.</summary>
public sealed class ThrowingBenchmark : IStartupBenchmark
{
    public string Name => "throwing-plugin";

    public Task<string> IdentifyAsync(BenchmarkContext context, CancellationToken cancellationToken) => Task.FromResult("throwing");

    public Task<BenchmarkResult> RunAsync(BenchmarkContext context, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("plugin exploded");
}
