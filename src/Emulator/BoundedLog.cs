namespace Vespa.Emulator;

/// <summary>
/// The last N accepted reports of one kind, in arrival order, with a running sequence number and waiters for a report
/// that matches a predicate. Thread-safe. Memory stays bounded however long the emulator runs.
/// </summary>
internal sealed class BoundedLog<T>
    where T : class
{
    private readonly Lock _lock = new();
    private readonly Queue<T> _items;
    private readonly int _capacity;
    private readonly List<(Func<T, bool> Predicate, TaskCompletionSource<T> Completion)> _waiters = [];
    private long _total;

    public BoundedLog(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
        _items = new Queue<T>(Math.Min(capacity, 1024));
    }

    /// <summary>How many items were ever added (including those dropped since).</summary>
    public long TotalCount
    {
        get
        {
            lock (_lock)
            {
                return _total;
            }
        }
    }

    public IReadOnlyList<T> Snapshot()
    {
        lock (_lock)
        {
            return [.. _items];
        }
    }

    /// <summary>Adds <paramref name="item"/>, stamping it with its sequence number (1, 2, 3…) under the lock so that
    /// sequence order is arrival order.</summary>
    public void Add(T item, Action<T, long> stamp)
    {
        List<TaskCompletionSource<T>>? matched = null;
        lock (_lock)
        {
            stamp(item, ++_total);
            _items.Enqueue(item);
            if (_items.Count > _capacity)
            {
                _items.Dequeue();
            }

            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Predicate(item))
                {
                    (matched ??= []).Add(_waiters[i].Completion);
                    _waiters.RemoveAt(i);
                }
            }
        }

        // Completed outside the lock; continuations run asynchronously anyway.
        if (matched is not null)
        {
            foreach (var completion in matched)
            {
                completion.TrySetResult(item);
            }
        }
    }

    /// <summary>The first kept item that matches, or the next one to arrive.</summary>
    public Task<T> WaitAsync(Func<T, bool> predicate, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        TaskCompletionSource<T> completion;
        lock (_lock)
        {
            foreach (var item in _items)
            {
                if (predicate(item))
                {
                    return Task.FromResult(item);
                }
            }

            completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((predicate, completion));
        }

        if (!cancellationToken.CanBeCanceled)
        {
            return completion.Task;
        }

        return WaitWithCancellationAsync(completion, cancellationToken);
    }

    /// <summary>Cancels every pending waiter (the emulator is shutting down).</summary>
    public void CancelWaiters()
    {
        List<TaskCompletionSource<T>> pending;
        lock (_lock)
        {
            pending = [.. _waiters.Select(w => w.Completion)];
            _waiters.Clear();
        }

        foreach (var completion in pending)
        {
            completion.TrySetCanceled();
        }
    }

    private async Task<T> WaitWithCancellationAsync(TaskCompletionSource<T> completion, CancellationToken cancellationToken)
    {
        try
        {
            return await completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            lock (_lock)
            {
                _waiters.RemoveAll(w => w.Completion == completion);
            }

            throw;
        }
    }
}
