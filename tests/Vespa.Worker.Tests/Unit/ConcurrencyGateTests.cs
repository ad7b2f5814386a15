using Vespa.Testing;
using Vespa.Worker.Admission;

namespace Vespa.Worker.Tests.Unit;

public sealed class ConcurrencyGateTests
{
    [Fact]
    public async Task EnterAsync_OneSlot_ServesWaitersInArrivalOrder()
    {
        var gate = new ConcurrencyGate(1);
        var first = await gate.EnterAsync(CancellationToken.None).DefaultTimeout();
        var order = new List<int>();
        var waiters = Enumerable.Range(1, 5).Select(async i =>
        {
            using var lease = await gate.EnterAsync(CancellationToken.None);
            lock (order)
            {
                order.Add(i);
            }
        }).ToList();
        await TaskTimeoutExtensions.WaitUntilAsync(() => gate.Waiting == 5, "five waiters");

        first.Dispose();
        await Task.WhenAll(waiters).DefaultTimeout();

        Assert.Equal([1, 2, 3, 4, 5], order);
    }

    [Fact]
    public async Task EnterAsync_CancelledWhileQueued_LeavesQueueAndSlotsStayConsistent()
    {
        var gate = new ConcurrencyGate(2);
        var a = await gate.EnterAsync(CancellationToken.None).DefaultTimeout();
        var b = await gate.EnterAsync(CancellationToken.None).DefaultTimeout();
        using var cancel = new CancellationTokenSource();
        var queued = gate.EnterAsync(cancel.Token).AsTask();
        var next = gate.EnterAsync(CancellationToken.None).AsTask();
        await TaskTimeoutExtensions.WaitUntilAsync(() => gate.Waiting == 2, "two waiters");

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queued).DefaultTimeout();
        Assert.Equal(1, gate.Waiting);
        a.Dispose();
        using var nextLease = await next.DefaultTimeout();
        b.Dispose();
        nextLease.Dispose();

        // Both slots are free again: two immediate entries succeed.
        using var c = await gate.EnterAsync(CancellationToken.None).DefaultTimeout();
        using var d = await gate.EnterAsync(CancellationToken.None).DefaultTimeout();
        Assert.Equal(0, gate.Waiting);
    }

    [Fact]
    public async Task Lease_DisposedTwice_ReleasesOnce()
    {
        var gate = new ConcurrencyGate(1);
        var lease = await gate.EnterAsync(CancellationToken.None).DefaultTimeout();
        lease.Dispose();
        lease.Dispose();

        using var again = await gate.EnterAsync(CancellationToken.None).DefaultTimeout();
        var blocked = gate.EnterAsync(CancellationToken.None).AsTask();
        await Task.Delay(50);
        Assert.False(blocked.IsCompleted);
        again.Dispose();
        (await blocked.DefaultTimeout()).Dispose();
    }
}
