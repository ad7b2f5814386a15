namespace Vespa.Benchmarks;

/// <summary>The outcome of <see cref="BenchmarkCache.Lookup"/>.</summary>
/// <param name="Status">Hit or why not.</param>
/// <param name="Entry">The entry on a hit, else null.</param>
/// <param name="Reason">A sentence for the log, e.g. "recorded for identity '…', not '…'".</param>
public sealed record BenchmarkCacheLookup(BenchmarkCacheStatus Status, BenchmarkCacheEntry? Entry, string Reason);
