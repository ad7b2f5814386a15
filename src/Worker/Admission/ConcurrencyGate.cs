using System.Threading.RateLimiting;

namespace Vespa.Worker.Admission;

/// <summary>
/// A strictly first-in-first-out gate with a fixed number of slots (<c>VESPA_MAX_CONCURRENCY</c>,
/// or 1 for <c>VESPA_ALLOW_PARALLEL=false</c>), shared by every request, in a session or not, as
/// the SDK's one FIFO per worker.
/// </summary>
/// <remarks>
/// Backed by <see cref="ConcurrencyLimiter"/> with <see cref="QueueProcessingOrder.OldestFirst"/>
/// and no queue limit: a newcomer never takes a free slot while anyone is queued, slots are handed
/// over in arrival order, and a cancelled waiter leaves the queue count at once (its record is
/// dropped when the queue next moves) without disturbing the order of those behind it
/// (ConcurrencyGateTests). <see cref="SemaphoreSlim"/> promises no order, which the serial mode needs.
/// </remarks>
internal sealed class ConcurrencyGate : IDisposable
{
    private readonly ConcurrencyLimiter _limiter;

    public ConcurrencyGate(int slots)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(slots, 1);
        Slots = slots;
        _limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = slots,
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
    }

    public int Slots { get; }

    /// <summary>Requests waiting for a slot (cancelled ones no longer count).</summary>
    public int Waiting => (int)(_limiter.GetStatistics()?.CurrentQueuedCount ?? 0);

    /// <summary>Free slots.</summary>
    public int Available => _limiter.GetStatistics()?.CurrentAvailablePermits is { } free ? (int)free : 0;

    /// <summary>
    /// Waits for a slot; dispose the result to give it back. Throws <see cref="OperationCanceledException"/>
    /// when cancelled while waiting; a slot granted in the same instant as the cancellation is handed on.
    /// </summary>
    public async ValueTask<RateLimitLease> EnterAsync(CancellationToken cancellationToken)
    {
        var lease = await _limiter.AcquireAsync(1, cancellationToken);
        if (!lease.IsAcquired)
        {
            // Only a disposed limiter refuses (there is no queue limit): the worker is shutting down.
            lease.Dispose();
            throw new OperationCanceledException("the concurrency gate is closed (the worker is stopping)");
        }

        if (cancellationToken.IsCancellationRequested)
        {
            lease.Dispose();
            cancellationToken.ThrowIfCancellationRequested();
        }

        return lease;
    }

    public void Dispose() => _limiter.Dispose();
}
