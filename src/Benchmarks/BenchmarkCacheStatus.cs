namespace Vespa.Benchmarks;

/// <summary>Why a benchmark cache lookup did or did not give a usable figure.</summary>
public enum BenchmarkCacheStatus
{
    /// <summary>The file records this benchmark and identity with a valid throughput.</summary>
    Hit,

    /// <summary>There is no cache file.</summary>
    Missing,

    /// <summary>The file holds a bare number, as the Python workers write it: what it measured is unknown.</summary>
    Legacy,

    /// <summary>The file cannot be read, is not JSON, or lacks a field or a valid throughput.</summary>
    Unreadable,

    /// <summary>The file records another benchmark or another identity.</summary>
    Mismatch,
}
