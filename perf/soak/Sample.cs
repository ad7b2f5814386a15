namespace Vespa.Perf.Soak;

/// <summary>One second's reading of the worker process.</summary>
/// <param name="Seconds">Since the traffic started (negative before, during the warm-up).</param>
/// <param name="Phase"><c>traffic</c> or <c>idle</c> (after the traffic stopped).</param>
/// <param name="RssKiB">VmRSS from <c>/proc/&lt;pid&gt;/status</c>.</param>
/// <param name="GcCommittedBytes">What the GC has committed (<c>vespa_worker_gc_committed_bytes</c>).</param>
/// <param name="GcHeapBytes">Bytes on the managed heap (<c>vespa_worker_gc_heap_bytes</c>).</param>
/// <param name="OpenFds">Entries of <c>/proc/&lt;pid&gt;/fd</c>.</param>
/// <param name="Threads">Threads from <c>/proc/&lt;pid&gt;/status</c>.</param>
/// <param name="Requests">Requests the driver completed so far (all kinds).</param>
internal sealed record Sample(double Seconds, string Phase, long RssKiB, long GcCommittedBytes, long GcHeapBytes, int OpenFds, int Threads, long Requests);
