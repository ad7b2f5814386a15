using System.Collections.Concurrent;

namespace Vespa.Client.Resilience;

/// <summary>
/// One circuit per worker URL: after <c>threshold</c> failures in a row the worker is skipped (the call re-routes) for
/// the break duration; then a single probe call may try it, and its result closes or re-opens the circuit.
/// </summary>
/// <remarks>
/// Polly's circuit breaker keeps one state per strategy instance, so a breaker per worker would mean one pipeline per
/// worker URL (an ever-growing registry over a long proxy run). This keyed breaker runs inside the single retry
/// pipeline instead and forgets a worker as soon as its circuit is closed with no failures: it holds entries only for
/// workers that are failing. Thread-safe.
/// </remarks>
internal sealed class WorkerCircuitBreakers(int threshold, TimeSpan breakDuration, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>Raised when a circuit opens (argument: the worker URL).</summary>
    public event Action<string>? Opened;

    /// <summary>Whether <paramref name="workerUrl"/> may be called now. In the half-open state only the first caller
    /// gets <c>true</c> (the probe); it must report its result with <see cref="OnSuccess"/>, <see cref="OnFailure"/>
    /// or <see cref="OnAbandoned"/>.</summary>
    public bool TryEnter(string workerUrl)
    {
        if (!_entries.TryGetValue(workerUrl, out var entry))
        {
            return true;
        }

        lock (entry)
        {
            switch (entry.State)
            {
                case CircuitState.Closed:
                    return true;
                case CircuitState.Open when time.GetElapsedTime(entry.OpenedAt) >= breakDuration:
                    entry.State = CircuitState.HalfOpen;
                    return true;
                default:
                    return false;
            }
        }
    }

    public void OnSuccess(string workerUrl)
    {
        if (_entries.TryGetValue(workerUrl, out var entry))
        {
            lock (entry)
            {
                entry.State = CircuitState.Closed;
                entry.Failures = 0;
                _entries.TryRemove(new KeyValuePair<string, Entry>(workerUrl, entry));
            }
        }
    }

    /// <summary>Records a failed call; <paramref name="cause"/> is kept for the message of calls the open circuit
    /// skips.</summary>
    public void OnFailure(string workerUrl, FailureCause? cause = null)
    {
        var opened = false;
        var entry = _entries.GetOrAdd(workerUrl, static _ => new Entry());
        lock (entry)
        {
            entry.Failures++;
            entry.LastCause = cause ?? entry.LastCause;
            if (entry.State == CircuitState.HalfOpen || (entry.State == CircuitState.Closed && entry.Failures >= threshold))
            {
                entry.State = CircuitState.Open;
                entry.OpenedAt = time.GetTimestamp();
                opened = true;
            }
        }

        if (opened)
        {
            Opened?.Invoke(workerUrl);
        }
    }

    /// <summary>A call that ended neither way (cancelled by its caller): a half-open probe slot is given back.</summary>
    public void OnAbandoned(string workerUrl)
    {
        if (_entries.TryGetValue(workerUrl, out var entry))
        {
            lock (entry)
            {
                if (entry.State == CircuitState.HalfOpen)
                {
                    // Back to open with the break already served: the next caller probes at once.
                    entry.State = CircuitState.Open;
                    entry.OpenedAt = time.GetTimestamp() - (long)(breakDuration.TotalSeconds * time.TimestampFrequency);
                }
            }
        }
    }

    /// <summary>The failure last recorded for <paramref name="workerUrl"/>, while it has an entry (failing or open).</summary>
    public FailureCause? GetLastCause(string workerUrl)
    {
        if (!_entries.TryGetValue(workerUrl, out var entry))
        {
            return null;
        }

        lock (entry)
        {
            return entry.LastCause;
        }
    }

    /// <summary>The circuit of <paramref name="workerUrl"/> now (an open circuit whose break has passed still reads
    /// <see cref="CircuitState.Open"/> until a caller probes).</summary>
    public CircuitState GetState(string workerUrl)
    {
        if (!_entries.TryGetValue(workerUrl, out var entry))
        {
            return CircuitState.Closed;
        }

        lock (entry)
        {
            return entry.State;
        }
    }

    private sealed class Entry
    {
        public CircuitState State { get; set; }

        public int Failures { get; set; }

        public long OpenedAt { get; set; }

        public FailureCause? LastCause { get; set; }
    }
}
