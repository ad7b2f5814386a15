using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.Loader;

namespace Vespa.Benchmarks.Plugins;

/// <summary>
/// An isolated load context for one benchmark plugin: the plugin's own dependencies resolve next
/// to it (through its <c>.deps.json</c> when present), while the contract assemblies always
/// resolve to the worker's copies, so <see cref="IStartupBenchmark"/>, <see cref="BenchmarkContext"/>
/// and <c>ILogger</c> are the same types on both sides even if the plugin folder ships its own copies.
/// </summary>
[RequiresUnreferencedCode(PluginBenchmarkLoader.TrimmingWarning)]
internal sealed class PluginLoadContext : AssemblyLoadContext
{
    private static readonly HashSet<string> SharedAssemblies = new(StringComparer.OrdinalIgnoreCase)
    {
        typeof(IStartupBenchmark).Assembly.GetName().Name!,
        "Microsoft.Extensions.Logging.Abstractions",
        "Microsoft.Extensions.DependencyInjection.Abstractions",
    };

    private readonly AssemblyDependencyResolver _resolver;

    public PluginLoadContext(string pluginPath)
        : base("vespa-benchmark-plugin:" + Path.GetFileName(pluginPath), isCollectible: false)
    {
        _resolver = new AssemblyDependencyResolver(pluginPath);
    }

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        // Null defers to the default context: the worker's own assemblies and the shared framework.
        if (assemblyName.Name is null || SharedAssemblies.Contains(assemblyName.Name))
        {
            return null;
        }

        var path = _resolver.ResolveAssemblyToPath(assemblyName);
        return path is null ? null : LoadFromAssemblyPath(path);
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        var path = _resolver.ResolveUnmanagedDllToPath(unmanagedDllName);
        return path is null ? IntPtr.Zero : LoadUnmanagedDllFromPath(path);
    }
}
