using System.Threading.RateLimiting;
using Vespa.Testing;
using Vespa.Worker.Admission;

namespace Vespa.Worker.Tests.Unit;

/// <summary>
/// The gate is System.Threading.RateLimiting's ConcurrencyLimiter (OldestFirst, no queue limit):
/// these pin the properties the worker relies on: strict arrival order, a cancelled waiter out of
/// the queue at once without reordering the rest, and no slot lost to a cancellation.
/// </summary>
public sealed class ConcurrencyGateTests
{
    [Fact]
    public async Task EnterAsync_OneSlot_ServesWaitersInArrivalOrder()
    {
        using var gate = new ConcurrencyGate(1);
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
    public async Task EnterAsync_ReturnsAnAcquiredLimiterLease()
    {
        using var gate = new ConcurrencyGate(2);

        using RateLimitLease lease = await gate.EnterAsync(CancellationToken.None).DefaultTimeout();

        Assert.True(lease.IsAcquired);
        Assert.Equal(1, gate.Available);
    }

    [Fact]
    public async Task EnterAsync_ReleasedSlot_GoesToTheWaiterNotToANewcomer()
    {
        // Two slots: one is freed while a waiter is queued; the waiter gets it, and a newcomer queues behind.
        using var gate = new ConcurrencyGate(2);
        var a = await gate.EnterAsync(CancellationToken.None).DefaultTimeout();
        var b = await gate.EnterAsync(CancellationToken.None).DefaultTimeout();
        var waiting = gate.EnterAsync(CancellationToken.None).AsTask();
        await TaskTimeoutExtensions.WaitUntilAsync(() => gate.Waiting == 1, "one waiter");

        a.Dispose();
        using var waiterLease = await waiting.DefaultTimeout();
        var newcomer = gate.EnterAsync(CancellationToken.None).AsTask();

        Assert.False(newcomer.IsCompleted);
        b.Dispose();
        (await newcomer.DefaultTimeout()).Dispose();
    }

    [Fact]
    public async Task EnterAsync_CancelledWaiters_LeaveTheQueueAtOnce_TheOthersKeepTheirOrder()
    {
        using var gate = new ConcurrencyGate(1);
        var holder = await gate.EnterAsync(CancellationToken.None).DefaultTimeout();
        var cancels = Enumerable.Range(0, 6).Select(_ => new CancellationTokenSource()).ToList();
        var order = new List<int>();
        var waiters = new List<Task>();
        for (var i = 0; i < 6; i++)
        {
            var index = i;
            waiters.Add(Task.Run(async () =>
            {
                using var lease = await gate.EnterAsync(cancels[index].Token);
                lock (order)
                {
                    order.Add(index);
                }
            }));
            await TaskTimeoutExtensions.WaitUntilAsync(() => gate.Waiting == index + 1, $"waiter {index} queued");
        }

        await cancels[1].CancelAsync();
        await cancels[4].CancelAsync();

        // Out of the queue at once, before any slot moves.
        Assert.Equal(4, gate.Waiting);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiters[1]).DefaultTimeout();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiters[4]).DefaultTimeout();

        holder.Dispose();
        await Task.WhenAll(waiters[0], waiters[2], waiters[3], waiters[5]).DefaultTimeout();

        Assert.Equal([0, 2, 3, 5], order);
        Assert.Equal(0, gate.Waiting);
        Assert.Equal(1, gate.Available);
        cancels.ForEach(c => c.Dispose());
    }

    [Fact]
    public async Task EnterAsync_CancelledWhileQueued_LeavesQueueAndSlotsStayConsistent()
    {
        using var gate = new ConcurrencyGate(2);
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
    public async Task EnterAsync_CancellationsRacingReleases_NoSlotIsLost()
    {
        // Many waiters, half cancelled while slots are handed over; afterwards every slot is free.
        using var gate = new ConcurrencyGate(2);
        for (var round = 0; round < 50; round++)
        {
            var a = await gate.EnterAsync(CancellationToken.None).DefaultTimeout();
            var b = await gate.EnterAsync(CancellationToken.None).DefaultTimeout();
            var cancels = Enumerable.Range(0, 8).Select(_ => new CancellationTokenSource()).ToList();
            var waiters = cancels.Select(c => Task.Run(async () =>
            {
                try
                {
                    using var lease = await gate.EnterAsync(c.Token);
                    await Task.Yield();
                }
                catch (OperationCanceledException)
                {
                }
            })).ToList();
            await TaskTimeoutExtensions.WaitUntilAsync(() => gate.Waiting == 8, "eight waiters");

            var racing = cancels.Where((_, i) => i % 2 == 1).Select(c => Task.Run(() => c.CancelAsync())).ToList();
            a.Dispose();
            b.Dispose();
            await Task.WhenAll(racing).DefaultTimeout();
            await Task.WhenAll(waiters).DefaultTimeout();
            cancels.ForEach(c => c.Dispose());

            Assert.Equal(0, gate.Waiting);
            Assert.Equal(2, gate.Available);
        }
    }

    [Fact]
    public async Task EnterAsync_TokenAlreadyCancelled_TakesNoSlot()
    {
        using var gate = new ConcurrencyGate(1);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => gate.EnterAsync(cancelled.Token).AsTask()).DefaultTimeout();

        Assert.Equal(1, gate.Available);
        Assert.Equal(0, gate.Waiting);
    }

    [Fact]
    public async Task Lease_DisposedTwice_ReleasesOnce()
    {
        using var gate = new ConcurrencyGate(1);
        var lease = await gate.EnterAsync(CancellationToken.None).DefaultTimeout();
        lease.Dispose();
        lease.Dispose();

        using var again = await gate.EnterAsync(CancellationToken.None).DefaultTimeout();
        var blocked = gate.EnterAsync(CancellationToken.None).AsTask();
        Assert.Equal(0, gate.Available);
        Assert.False(blocked.IsCompleted);
        again.Dispose();
        (await blocked.DefaultTimeout()).Dispose();
    }
}
