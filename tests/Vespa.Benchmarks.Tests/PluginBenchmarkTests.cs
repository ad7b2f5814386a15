using Vespa.Benchmarks.Tests.Support;
using Vespa.Testing;

namespace Vespa.Benchmarks.Tests;

/// <summary>Custom benchmarks loaded from Vespa.Benchmarks.TestPlugin.dll, which the build copies to bin/.../plugins/.</summary>
public sealed class PluginBenchmarkTests
{
    private static readonly string PluginPath = Path.Combine(AppContext.BaseDirectory, "plugins", "Vespa.Benchmarks.TestPlugin.dll");

    [Fact]
    public void PluginAssembly_IsNotLoadedByTheTestHostItself()
    {
        Assert.True(File.Exists(PluginPath), PluginPath);
        Assert.False(File.Exists(Path.Combine(AppContext.BaseDirectory, "Vespa.Benchmarks.TestPlugin.dll")));
        Assert.False(File.Exists(Path.Combine(AppContext.BaseDirectory, "plugins", "Vespa.Benchmarks.dll")));
    }

    [Fact]
    public async Task Create_PluginSpec_LoadsAndRunsTheType()
    {
        await using var backend = await TestBackend.StartAsync((context, _) => TestBackend.WriteJsonAsync(context, "{}"));
        using var client = backend.CreateClient("/");
        var context = TestContexts.Create(client, new BenchmarkOptions());

        var benchmark = BenchmarkFactory.Create(PluginPath + ":Vespa.Benchmarks.TestPlugin.FixedThroughputBenchmark");
        var identity = await benchmark.IdentifyAsync(context, CancellationToken.None).DefaultTimeout();
        var result = await benchmark.RunAsync(context, CancellationToken.None).DefaultTimeout();

        Assert.Equal("test-plugin", benchmark.Name);
        Assert.Matches(@"^test-plugin fixed=42 \(plugin Vespa\.Benchmarks\.TestPlugin\.FixedThroughputBenchmark from Vespa\.Benchmarks\.TestPlugin\.dll mvid=[0-9a-f]{32}\)$", identity);
        Assert.Equal(new BenchmarkResult(42, result.RunThroughputs, "requests/s"), result);
        Assert.Equal([40.0, 42.0], result.RunThroughputs);
        Assert.Equal("/ping", Assert.Single(backend.Requests).Path);
    }

    [Fact]
    public void Create_PluginSpec_SharesTheHostsContract()
    {
        var benchmark = BenchmarkFactory.Create(PluginPath + ":Vespa.Benchmarks.TestPlugin.FixedThroughputBenchmark");

        var inner = Assert.IsType<Plugins.PluginBenchmark>(benchmark).Inner;
        var pluginContract = inner.GetType().GetInterfaces().Single(i => i.Name == nameof(IStartupBenchmark));
        Assert.Same(typeof(IStartupBenchmark), pluginContract);
        Assert.NotSame(typeof(PluginBenchmarkTests).Assembly, inner.GetType().Assembly);
        Assert.Equal("vespa-benchmark-plugin:Vespa.Benchmarks.TestPlugin.dll", System.Runtime.Loader.AssemblyLoadContext.GetLoadContext(inner.GetType().Assembly)!.Name);
    }

    [Fact]
    public void Create_RelativePluginPath_IsResolvedAgainstTheWorkingDirectory()
    {
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, PluginPath);

        var benchmark = BenchmarkFactory.Create(relative + ":Vespa.Benchmarks.TestPlugin.FixedThroughputBenchmark");

        Assert.Equal("test-plugin", benchmark.Name);
    }

    [Fact]
    public void Create_WrongTypeName_ThrowsListingTheBenchmarkTypesThere()
    {
        var error = Assert.Throws<ArgumentException>(() => BenchmarkFactory.Create(PluginPath + ":Vespa.Benchmarks.TestPlugin.NoSuchBenchmark"));

        Assert.Contains("has no type 'Vespa.Benchmarks.TestPlugin.NoSuchBenchmark'", error.Message, StringComparison.Ordinal);
        Assert.Contains("Vespa.Benchmarks.TestPlugin.FixedThroughputBenchmark", error.Message, StringComparison.Ordinal);
        Assert.Contains(BenchmarkFactory.AcceptedForms, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_TypeNotImplementingTheInterface_Throws()
    {
        var error = Assert.Throws<ArgumentException>(() => BenchmarkFactory.Create(PluginPath + ":Vespa.Benchmarks.TestPlugin.NotABenchmark"));

        Assert.Contains("does not implement Vespa.Benchmarks.IStartupBenchmark", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_TypeWithoutParameterlessConstructor_Throws()
    {
        var error = Assert.Throws<ArgumentException>(() => BenchmarkFactory.Create(PluginPath + ":Vespa.Benchmarks.TestPlugin.NeedsArgumentBenchmark"));

        Assert.Contains("has no public parameterless constructor", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_PluginReportingZero_FailsLoudly()
    {
        using var client = new HttpClient { BaseAddress = new Uri("http://127.0.0.1:9/") };
        var benchmark = BenchmarkFactory.Create(PluginPath + ":Vespa.Benchmarks.TestPlugin.ZeroThroughputBenchmark");

        var error = await Assert.ThrowsAsync<BenchmarkFailedException>(
            () => benchmark.RunAsync(TestContexts.Create(client, new BenchmarkOptions()), CancellationToken.None).DefaultTimeout());

        Assert.Equal("zero-plugin", error.Benchmark);
        Assert.Contains("max throughput of 0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_PluginThrowing_IsWrappedNamingThePlugin()
    {
        using var client = new HttpClient { BaseAddress = new Uri("http://127.0.0.1:9/") };
        var benchmark = BenchmarkFactory.Create(PluginPath + ":Vespa.Benchmarks.TestPlugin.ThrowingBenchmark");

        var error = await Assert.ThrowsAsync<BenchmarkFailedException>(
            () => benchmark.RunAsync(TestContexts.Create(client, new BenchmarkOptions()), CancellationToken.None).DefaultTimeout());

        Assert.Equal("Benchmark 'throwing-plugin' failed: the plugin's RunAsync threw InvalidOperationException: plugin exploded", error.Message);
        Assert.IsType<InvalidOperationException>(error.InnerException);
    }
}
