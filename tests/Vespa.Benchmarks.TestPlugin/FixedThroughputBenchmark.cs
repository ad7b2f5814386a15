namespace Vespa.Benchmarks.TestPlugin;

/// <summary>Calls the backend's <c>GET ping</c> once through the context, then reports 42 requests/s.</summary>
public sealed class FixedThroughputBenchmark : IStartupBenchmark
{
    public string Name => "test-plugin";

    public Task<string> IdentifyAsync(BenchmarkContext context, CancellationToken cancellationToken) =>
        Task.FromResult("test-plugin fixed=42");

    public async Task<BenchmarkResult> RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        using var response = await context.Backend.GetAsync(new Uri(context.Backend.BaseAddress!, "ping"), cancellationToken);
        response.EnsureSuccessStatusCode();
        return new BenchmarkResult(42, [40, 42], "requests/s");
    }
}
