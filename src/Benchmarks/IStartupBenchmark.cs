namespace Vespa.Benchmarks;

/// <summary>
/// Measures the backend's maximum throughput in workload units per second (the units of a
/// request's <c>cost</c>), once, before the worker reports itself ready.
/// </summary>
/// <remarks>
/// Implementations never hide a failure behind a made-up figure (the official workers report 1.0
/// or 0.0 when nothing succeeded): they either return a positive, finite throughput or throw
/// <see cref="BenchmarkFailedException"/>. Custom implementations are loaded by
/// <see cref="BenchmarkFactory.Create(string)"/> from <c>path.dll:Namespace.TypeName</c> and need a
/// public parameterless constructor.
/// </remarks>
public interface IStartupBenchmark
{
    /// <summary>The benchmark's name as recorded in the cache, e.g. <c>openai-chat</c> or <c>constant:12.5</c>.</summary>
    string Name { get; }

    /// <summary>
    /// Describes what <see cref="RunAsync"/> will measure (model id, image size, concurrency...)
    /// without doing the heavy work. The worker combines it with the backend URL as the cache
    /// identity, so a cached figure is reused only for the same thing measured.
    /// </summary>
    Task<string> IdentifyAsync(BenchmarkContext context, CancellationToken cancellationToken);

    /// <summary>Runs the benchmark.</summary>
    /// <exception cref="BenchmarkFailedException">Nothing usable was measured; the message says why.</exception>
    Task<BenchmarkResult> RunAsync(BenchmarkContext context, CancellationToken cancellationToken);
}
