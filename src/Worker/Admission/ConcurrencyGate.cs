namespace Vespa.Worker.Admission;

/// <summary>
/// A strictly first-in-first-out gate with a fixed number of slots (<c>VESPA_MAX_CONCURRENCY</c>,
/// or 1 for <c>VESPA_ALLOW_PARALLEL=false</c>). <see cref="SemaphoreSlim"/> does not promise FIFO,
/// which the serial mode needs. A waiter that is cancelled leaves the queue at once.
/// </summary>
internal sealed class ConcurrencyGate
{
    private readonly object _lock = new();
    private readonly LinkedList<TaskCompletionSource> _waiters = new();
    private int _free;

    public ConcurrencyGate(int slots)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(slots, 1);
        Slots = slots;
        _free = slots;
    }

    public int Slots { get; }

    public int Waiting
    {
        get
        {
            lock (_lock)
            {
                return _waiters.Count;
            }
        }
    }

    /// <summary>Waits for a slot; dispose the result to give it back.</summary>
    public async ValueTask<Lease> EnterAsync(CancellationToken cancellationToken)
    {
        TaskCompletionSource waiter;
        LinkedListNode<TaskCompletionSource> node;
        lock (_lock)
        {
            if (_free > 0 && _waiters.Count == 0)
            {
                _free--;
                return new Lease(this);
            }

            waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            node = _waiters.AddLast(waiter);
        }

        try
        {
            await waiter.Task.WaitAsync(cancellationToken);
            return new Lease(this);
        }
        catch (OperationCanceledException)
        {
            lock (_lock)
            {
                if (node.List is not null)
                {
                    _waiters.Remove(node);
                    throw;
                }
            }

            // The slot was handed over just as we were cancelled: pass it on.
            Release();
            throw;
        }
    }

    private void Release()
    {
        lock (_lock)
        {
            if (_waiters.First is { } next)
            {
                _waiters.RemoveFirst();
                next.Value.TrySetResult();
                return;
            }

            _free++;
        }
    }

    /// <summary>A held slot.</summary>
    internal sealed class Lease : IDisposable
    {
        private ConcurrencyGate? _gate;

        public Lease(ConcurrencyGate gate)
        {
            _gate = gate;
        }

        public void Dispose() => Interlocked.Exchange(ref _gate, null)?.Release();
    }
}
