namespace Vespa.Benchmarks.TestPlugin;

/// <summary>Reports 0, the official workers' silent failure value, which the host must refuse.</summary>
public sealed class ZeroThroughputBenchmark : IStartupBenchmark
{
    public string Name => "zero-plugin";

    public Task<string> IdentifyAsync(BenchmarkContext context, CancellationToken cancellationToken) => Task.FromResult("zero");

    public Task<BenchmarkResult> RunAsync(BenchmarkContext context, CancellationToken cancellationToken) =>
        Task.FromResult(new BenchmarkResult(0, [0], "requests/s"));
}
