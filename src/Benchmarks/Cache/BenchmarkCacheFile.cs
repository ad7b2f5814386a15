using System.Text.Json.Serialization;

namespace Vespa.Benchmarks.Cache;

/// <summary>The cache file's JSON shape; everything optional here so a bad file gets a precise reason.</summary>
internal sealed class BenchmarkCacheFile
{
    [JsonPropertyName("benchmark")]
    public string? Benchmark { get; set; }

    [JsonPropertyName("identity")]
    public string? Identity { get; set; }

    /// <summary>Named after the autoscaler's <c>max_perf</c>, which this value becomes.</summary>
    [JsonPropertyName("max_perf")]
    public double? MaxPerf { get; set; }

    [JsonPropertyName("runs")]
    public IReadOnlyList<double>? Runs { get; set; }

    [JsonPropertyName("unit")]
    public string? Unit { get; set; }

    [JsonPropertyName("measured_at")]
    public DateTimeOffset? MeasuredAt { get; set; }
}
