using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Vespa.Testing;

namespace Vespa.Benchmarks.Tests;

public sealed class BenchmarkCacheTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 16, 40, 0, TimeSpan.Zero);
    private readonly string _directory = Directory.CreateTempSubdirectory("vespa-cache-").FullName;
    private readonly FakeTimeProvider _time = new(Now);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string CachePath => Path.Combine(_directory, ".has_benchmark");

    private BenchmarkCache NewCache() => new(CachePath, _time);

    [Fact]
    public void Exists_NoFile_IsFalseAndLookupSaysMissing()
    {
        var cache = NewCache();

        Assert.False(cache.Exists);
        Assert.Null(cache.TryRead("openai-chat", "id"));
        Assert.Equal(BenchmarkCacheStatus.Missing, cache.Lookup("openai-chat", "id").Status);
    }

    [Fact]
    public void Write_ThenRead_RoundTrips()
    {
        var cache = NewCache();
        var entry = new BenchmarkCacheEntry("openai-chat", "openai-chat model=m max_tokens=256 concurrency=10 http://127.0.0.1:8000/", 1234.5678, [1200.25, 1234.5678, 1000], "tokens/s", Now);

        cache.Write(entry);
        var read = cache.TryRead(entry.Benchmark, entry.Identity);

        Assert.True(cache.Exists);
        Assert.NotNull(read);
        Assert.Equal(entry.Benchmark, read.Benchmark);
        Assert.Equal(entry.Identity, read.Identity);
        Assert.Equal(entry.MaxThroughput, read.MaxThroughput);
        Assert.Equal(entry.RunThroughputs, read.RunThroughputs);
        Assert.Equal(entry.Unit, read.Unit);
        Assert.Equal(entry.MeasuredAt, read.MeasuredAt);
        var lookup = cache.Lookup(entry.Benchmark, entry.Identity);
        Assert.Equal(BenchmarkCacheStatus.Hit, lookup.Status);
        Assert.Contains("reusing 1234.568 tokens/s", lookup.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_UsesTheDocumentedJsonFields()
    {
        NewCache().Write(new BenchmarkCacheEntry("tgi", "tgi model=x", 42.5, [40, 42.5], "tokens/s", Now));

        using var document = JsonDocument.Parse(File.ReadAllBytes(CachePath));
        var root = document.RootElement;
        Assert.Equal(["benchmark", "identity", "max_perf", "runs", "unit", "measured_at"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("tgi", root.GetProperty("benchmark").GetString());
        Assert.Equal(42.5, root.GetProperty("max_perf").GetDouble());
        Assert.Equal([40.0, 42.5], root.GetProperty("runs").EnumerateArray().Select(e => e.GetDouble()));
        Assert.Equal(Now, root.GetProperty("measured_at").GetDateTimeOffset());
    }

    [Fact]
    public void WriteResult_StampsTheTimeProvidersNow()
    {
        var cache = NewCache();
        _time.Advance(TimeSpan.FromHours(1));

        var entry = cache.Write("comfyui", "comfyui text2image", new BenchmarkResult(25, [20, 25], "workload/s"));

        Assert.Equal(Now.AddHours(1), entry.MeasuredAt);
        Assert.Equal(Now.AddHours(1), cache.TryRead("comfyui", "comfyui text2image")!.MeasuredAt);
    }

    [Fact]
    public void TryRead_OtherIdentityOrBenchmark_IsIgnored()
    {
        var cache = NewCache();
        cache.Write(new BenchmarkCacheEntry("openai-chat", "model=a", 10, [10], "tokens/s", Now));

        Assert.Null(cache.TryRead("openai-chat", "model=b"));
        Assert.Null(cache.TryRead("tgi", "model=a"));
        var lookup = cache.Lookup("openai-chat", "model=b");
        Assert.Equal(BenchmarkCacheStatus.Mismatch, lookup.Status);
        Assert.Contains("identity 'model=a', not 'model=b'", lookup.Reason, StringComparison.Ordinal);
        Assert.True(cache.Exists);
    }

    [Theory]
    [InlineData("123.45678")]
    [InlineData("1e+20")]
    [InlineData("inf")]
    [InlineData("0.0")]
    [InlineData("57.3\n")]
    public void TryRead_LegacyPythonFloat_IsNotReused(string content)
    {
        File.WriteAllText(CachePath, content);
        var cache = NewCache();

        Assert.True(cache.Exists);
        Assert.Null(cache.TryRead("openai-chat", "anything"));
        Assert.Equal(BenchmarkCacheStatus.Legacy, cache.Lookup("openai-chat", "anything").Status);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{\"benchmark\": \"openai-chat\", ")]
    [InlineData("[1, 2]")]
    [InlineData("{\"benchmark\":\"openai-chat\",\"identity\":\"id\",\"unit\":\"tokens/s\",\"measured_at\":\"2026-11-23T16:40:00+00:00\"}")]
    [InlineData("{\"benchmark\":\"openai-chat\",\"identity\":\"id\",\"max_perf\":0,\"runs\":[0],\"unit\":\"tokens/s\",\"measured_at\":\"2026-11-23T16:40:00+00:00\"}")]
    [InlineData("{\"benchmark\":\"openai-chat\",\"identity\":\"id\",\"max_perf\":\"12\",\"runs\":[],\"unit\":\"tokens/s\",\"measured_at\":\"2026-11-23T16:40:00+00:00\"}")]
    public void TryRead_CorruptOrInvalidFile_IsIgnored(string content)
    {
        File.WriteAllText(CachePath, content);
        var cache = NewCache();

        Assert.Null(cache.TryRead("openai-chat", "id"));
        Assert.Equal(BenchmarkCacheStatus.Unreadable, cache.Lookup("openai-chat", "id").Status);
    }

    [Fact]
    public void Write_ReplacesTheOldFileAndLeavesNoTemporaryFile()
    {
        var cache = NewCache();
        cache.Write(new BenchmarkCacheEntry("openai-chat", "old", 1, [1], "tokens/s", Now));

        cache.Write(new BenchmarkCacheEntry("openai-chat", "new", 2, [2], "tokens/s", Now));

        Assert.Null(cache.TryRead("openai-chat", "old"));
        Assert.Equal(2, cache.TryRead("openai-chat", "new")!.MaxThroughput);
        Assert.Equal([".has_benchmark"], Directory.GetFiles(_directory).Select(Path.GetFileName));
    }

    [Fact]
    public void Write_ReplacesALegacyFile()
    {
        File.WriteAllText(CachePath, "99.5");
        var cache = NewCache();

        cache.Write(new BenchmarkCacheEntry("tgi", "id", 3, [3], "tokens/s", Now));

        Assert.Equal(3, cache.TryRead("tgi", "id")!.MaxThroughput);
    }

    [Fact]
    public async Task Write_ConcurrentReaderNeverSeesAPartialFile()
    {
        var cache = NewCache();
        var identity = new string('x', 64 * 1024); // a large file makes a torn write visible if the write is not atomic
        cache.Write(new BenchmarkCacheEntry("openai-chat", identity, 1, [1], "tokens/s", Now));
        using var stop = new CancellationTokenSource();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var torn = 0;
        var reads = 0;

        var reader = Task.Run(() =>
        {
            started.TrySetResult();
            while (!stop.IsCancellationRequested)
            {
                if (cache.Lookup("openai-chat", identity).Status != BenchmarkCacheStatus.Hit)
                {
                    Interlocked.Increment(ref torn);
                }

                Interlocked.Increment(ref reads);
            }
        });
        await started.Task.DefaultTimeout();

        // Keep replacing the file until the reader has looked at it many times in between.
        var writes = 0;
        while ((writes < 200 || Volatile.Read(ref reads) < 200) && writes < 100_000)
        {
            writes++;
            cache.Write(new BenchmarkCacheEntry("openai-chat", identity, writes, [writes], "tokens/s", Now));
        }

        await stop.CancelAsync();
        await reader.DefaultTimeout();

        Assert.True(Volatile.Read(ref reads) >= 200, $"only {reads} reads");
        Assert.Equal(0, Volatile.Read(ref torn));
        Assert.Equal(writes, cache.TryRead("openai-chat", identity)!.MaxThroughput);
    }

    [Fact]
    public void Write_CreatesTheDirectory()
    {
        var path = Path.Combine(_directory, "nested", "deeper", ".has_benchmark");
        var cache = new BenchmarkCache(path, _time);

        cache.Write(new BenchmarkCacheEntry("tgi", "id", 3, [3], "tokens/s", Now));

        Assert.True(cache.Exists);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Write_InvalidThroughput_IsRefused(double throughput)
    {
        var cache = NewCache();

        Assert.Throws<ArgumentException>(() => cache.Write(new BenchmarkCacheEntry("tgi", "id", throughput, [throughput], "tokens/s", Now)));
        Assert.False(cache.Exists);
    }

    [Fact]
    public void Path_IsFullPath()
    {
        var cache = new BenchmarkCache(".has_benchmark", _time);

        Assert.Equal(Path.Combine(Environment.CurrentDirectory, ".has_benchmark"), cache.Path);
    }
}
