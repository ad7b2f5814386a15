using Microsoft.Extensions.Logging;

namespace Vespa.Benchmarks.Tests.Support;

internal static class TestContexts
{
    public static BenchmarkContext Create(HttpClient backend, BenchmarkOptions options, ILogger? logger = null, TimeProvider? time = null) => new()
    {
        Backend = backend,
        Options = options,
        Logger = logger ?? new ListLogger(),
        TimeProvider = time ?? TimeProvider.System,
    };
}
