using System.Globalization;
using System.Text;
using System.Text.Json;
using Vespa.Benchmarks.Cache;

namespace Vespa.Benchmarks;

/// <summary>
/// The benchmark cache file (<c>.has_benchmark</c> in the working directory by default; the worker
/// gives the path). Unlike the Python workers' bare number, it records what was measured, and a
/// figure is reused only for the same benchmark and identity:
/// <code>
/// {
///   "benchmark": "openai-chat",
///   "identity": "openai-chat model=… max_tokens=256 concurrency=10 …",
///   "max_perf": 1234.5,
///   "runs": [1200.1, 1234.5, 1220.0],
///   "unit": "tokens/s",
///   "measured_at": "2026-11-23T16:40:00+00:00"
/// }
/// </code>
/// </summary>
public sealed class BenchmarkCache
{
    private readonly TimeProvider _timeProvider;

    public BenchmarkCache(string path, TimeProvider timeProvider)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(timeProvider);
        Path = System.IO.Path.GetFullPath(path);
        _timeProvider = timeProvider;
    }

    /// <summary>The cache file's full path.</summary>
    public string Path { get; }

    /// <summary>
    /// Whether the file exists at all, whatever it holds. The worker uses it to choose the
    /// readiness deadline (initial boot vs resume), as the universal PyWorker does.
    /// </summary>
    public bool Exists => File.Exists(Path);

    /// <summary>
    /// The entry recorded for <paramref name="benchmark"/> and <paramref name="identity"/>; null when
    /// the file is absent, unreadable, a legacy bare number, or recorded for something else.
    /// </summary>
    public BenchmarkCacheEntry? TryRead(string benchmark, string identity) => Lookup(benchmark, identity).Entry;

    /// <summary>Like <see cref="TryRead"/>, with the reason a figure was or was not reused, for the log.</summary>
    public BenchmarkCacheLookup Lookup(string benchmark, string identity)
    {
        ArgumentNullException.ThrowIfNull(benchmark);
        ArgumentNullException.ThrowIfNull(identity);

        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(Path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return Miss(BenchmarkCacheStatus.Missing, $"no benchmark cache file at {Path}");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return Miss(BenchmarkCacheStatus.Unreadable, $"the benchmark cache file {Path} cannot be read: {ex.Message}");
        }

        var json = bytes.AsSpan().StartsWith("\uFEFF"u8) ? bytes.AsSpan(3) : bytes.AsSpan();
        if (IsBareNumber(json))
        {
            return Miss(BenchmarkCacheStatus.Legacy, $"the benchmark cache file {Path} holds a bare number (a Python worker's cache): what it measured is unknown, so it is not reused");
        }

        BenchmarkCacheFile? file;
        try
        {
            file = JsonSerializer.Deserialize(json, BenchmarkJsonContext.Default.BenchmarkCacheFile);
        }
        catch (JsonException ex)
        {
            return Miss(BenchmarkCacheStatus.Unreadable, $"the benchmark cache file {Path} is not valid: {ex.Message}");
        }

        if (file?.Benchmark is null || file.Identity is null || file.MaxPerf is not { } maxPerf || file.Unit is null || file.MeasuredAt is not { } measuredAt)
        {
            return Miss(BenchmarkCacheStatus.Unreadable, $"the benchmark cache file {Path} lacks benchmark, identity, max_perf, unit or measured_at");
        }

        if (!double.IsFinite(maxPerf) || maxPerf <= 0)
        {
            return Miss(BenchmarkCacheStatus.Unreadable, $"the benchmark cache file {Path} records an invalid max_perf ({maxPerf.ToString(CultureInfo.InvariantCulture)})");
        }

        if (!string.Equals(file.Benchmark, benchmark, StringComparison.Ordinal))
        {
            return Miss(BenchmarkCacheStatus.Mismatch, $"the benchmark cache file records benchmark '{file.Benchmark}', not '{benchmark}'");
        }

        if (!string.Equals(file.Identity, identity, StringComparison.Ordinal))
        {
            return Miss(BenchmarkCacheStatus.Mismatch, $"the benchmark cache file records identity '{file.Identity}', not '{identity}'");
        }

        var entry = new BenchmarkCacheEntry(file.Benchmark, file.Identity, maxPerf, file.Runs ?? [maxPerf], file.Unit, measuredAt);
        return new BenchmarkCacheLookup(
            BenchmarkCacheStatus.Hit,
            entry,
            $"reusing {maxPerf.ToString("0.###", CultureInfo.InvariantCulture)} {file.Unit} measured at {measuredAt:O} (from {Path})");
    }

    /// <summary>
    /// Replaces the file atomically: the JSON goes to a temporary file in the same directory, is
    /// flushed to disk, then renamed over the old file, so a crash or a concurrent reader never
    /// sees half a file. The directory is created if needed.
    /// </summary>
    /// <exception cref="ArgumentException">The entry has no benchmark or identity, or its throughput is not finite and positive.</exception>
    public void Write(BenchmarkCacheEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (string.IsNullOrEmpty(entry.Benchmark) || entry.Identity is null || string.IsNullOrEmpty(entry.Unit))
        {
            throw new ArgumentException("A benchmark cache entry needs a benchmark name, an identity and a unit.", nameof(entry));
        }

        if (!double.IsFinite(entry.MaxThroughput) || entry.MaxThroughput <= 0)
        {
            throw new ArgumentException($"A benchmark cache entry's throughput must be finite and greater than 0, not {entry.MaxThroughput.ToString(CultureInfo.InvariantCulture)}.", nameof(entry));
        }

        var file = new BenchmarkCacheFile
        {
            Benchmark = entry.Benchmark,
            Identity = entry.Identity,
            MaxPerf = entry.MaxThroughput,
            Runs = entry.RunThroughputs ?? [],
            Unit = entry.Unit,
            MeasuredAt = entry.MeasuredAt,
        };

        var directory = System.IO.Path.GetDirectoryName(Path)!;
        Directory.CreateDirectory(directory);
        var temporary = System.IO.Path.Combine(directory, $".{System.IO.Path.GetFileName(Path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                JsonSerializer.Serialize(stream, file, BenchmarkJsonContext.Default.BenchmarkCacheFile);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, Path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }

    /// <summary>Records <paramref name="result"/>, stamped with the time provider's current time; returns what was written.</summary>
    public BenchmarkCacheEntry Write(string benchmark, string identity, BenchmarkResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var entry = new BenchmarkCacheEntry(benchmark, identity, result.MaxThroughput, result.RunThroughputs, result.Unit, _timeProvider.GetUtcNow());
        Write(entry);
        return entry;
    }

    private static BenchmarkCacheLookup Miss(BenchmarkCacheStatus status, string reason) => new(status, null, reason);

    /// <summary>Python's <c>str(float)</c>: <c>123.45</c>, <c>1e+20</c>, <c>inf</c>, <c>nan</c>.</summary>
    private static bool IsBareNumber(ReadOnlySpan<byte> content)
    {
        var text = Encoding.UTF8.GetString(content).Trim();
        return text is "inf" or "-inf" or "nan"
            || double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _);
    }
}
