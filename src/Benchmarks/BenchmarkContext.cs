using Microsoft.Extensions.Logging;

namespace Vespa.Benchmarks;

/// <summary>What a benchmark runs against and with.</summary>
public sealed class BenchmarkContext
{
    /// <summary>
    /// The backend client. Its <see cref="HttpClient.BaseAddress"/> is the backend base URL and may
    /// carry a base path (<c>http://127.0.0.1:8000/api</c>); benchmarks append their paths to it.
    /// Benchmarks bound each request with <see cref="BenchmarkOptions.RequestTimeout"/> themselves, so
    /// the client's own <see cref="HttpClient.Timeout"/> should be at least that long (or infinite).
    /// </summary>
    public required HttpClient Backend { get; init; }

    public required BenchmarkOptions Options { get; init; }

    /// <summary>Progress (warm-up, each run's throughput) and warnings go here.</summary>
    public required ILogger Logger { get; init; }

    /// <summary>Times runs and request timeouts. <value>Default: <see cref="TimeProvider.System"/>.</value></summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
