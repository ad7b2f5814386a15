using System.Globalization;

namespace Vespa.Benchmarks.Plugins;

/// <summary>
/// Wraps a plugin so it keeps the built-ins' promises: its result is a positive, finite
/// throughput or a <see cref="BenchmarkFailedException"/> naming the plugin, and its identity
/// changes when the plugin assembly is rebuilt (the module version id is part of it).
/// </summary>
internal sealed class PluginBenchmark : IStartupBenchmark
{
    private readonly IStartupBenchmark _inner;
    private readonly string _origin;

    public PluginBenchmark(IStartupBenchmark inner, Type type, string assemblyPath)
    {
        _inner = inner;
        _origin = $"plugin {type.FullName} from {Path.GetFileName(assemblyPath)} mvid={type.Module.ModuleVersionId:N}";
        var name = inner.Name;
        Name = string.IsNullOrWhiteSpace(name) ? type.FullName ?? type.Name : name;
    }

    public string Name { get; }

    /// <summary>The plugin instance, for callers that need its own members.</summary>
    public IStartupBenchmark Inner => _inner;

    public async Task<string> IdentifyAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        var identity = await Guard(() => _inner.IdentifyAsync(context, cancellationToken), "IdentifyAsync", cancellationToken);
        return $"{identity} ({_origin})";
    }

    public async Task<BenchmarkResult> RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        var result = await Guard(() => _inner.RunAsync(context, cancellationToken), "RunAsync", cancellationToken);
        if (result is null)
        {
            throw new BenchmarkFailedException(Name, "the plugin returned no result", null);
        }

        if (!double.IsFinite(result.MaxThroughput) || result.MaxThroughput <= 0)
        {
            throw new BenchmarkFailedException(
                Name,
                $"the plugin reported a max throughput of {result.MaxThroughput.ToString(CultureInfo.InvariantCulture)}; it must be finite and greater than 0",
                null);
        }

        return result with
        {
            RunThroughputs = result.RunThroughputs ?? [result.MaxThroughput],
            Unit = string.IsNullOrWhiteSpace(result.Unit) ? "workload/s" : result.Unit,
        };
    }

    private async Task<T> Guard<T>(Func<Task<T>> call, string member, CancellationToken cancellationToken)
    {
        try
        {
            return await call();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (BenchmarkFailedException)
        {
            throw;
        }
        catch (Exception ex)
        {
            throw new BenchmarkFailedException(Name, $"the plugin's {member} threw {ex.GetType().Name}: {ex.Message}", ex);
        }
    }
}
