namespace Vespa.Emulator;

/// <summary>
/// Injected failures, one rule per <see cref="EmulatorOperation"/>: fail or delay the next N requests, then recover.
/// Thread-safe; settable from tests at any time and over HTTP (<c>POST /_emulator/faults</c>).
/// </summary>
/// <remarks>
/// A request answered with a fault's status, or abandoned by its client while a fault held it, is not recorded as
/// accepted; it counts in <see cref="GetFailedAttempts"/> instead. A request that was only delayed and whose client
/// waited is handled normally (recorded, routed, served).
/// </remarks>
public sealed class EmulatorFaults
{
    private static readonly int OperationCount = Enum.GetValues<EmulatorOperation>().Length;

    private readonly Lock _lock = new();
    private readonly EmulatorFault?[] _rules = new EmulatorFault?[OperationCount];
    private readonly int[] _failedAttempts = new int[OperationCount];

    /// <summary>Answers the next <paramref name="count"/> requests to <paramref name="operation"/> with
    /// <paramref name="statusCode"/>.</summary>
    public void FailNext(EmulatorOperation operation, int count, int statusCode = 500) =>
        Set(operation, new EmulatorFault(count, statusCode, TimeSpan.Zero));

    /// <summary>Holds the next <paramref name="count"/> requests to <paramref name="operation"/> for
    /// <paramref name="delay"/>, then answers them normally, or with <paramref name="statusCode"/> when given.</summary>
    public void DelayNext(EmulatorOperation operation, int count, TimeSpan delay, int? statusCode = null) =>
        Set(operation, new EmulatorFault(count, statusCode, delay));

    /// <summary>Replaces the rule of <paramref name="operation"/>; a count of 0 clears it.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A negative count or delay, or a status outside 400–599.</exception>
    public void Set(EmulatorOperation operation, EmulatorFault fault)
    {
        ArgumentNullException.ThrowIfNull(fault);
        var index = Index(operation);
        ArgumentOutOfRangeException.ThrowIfNegative(fault.Count, nameof(fault));
        if (fault.Delay < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(fault), fault.Delay, "The delay must not be negative.");
        }

        if (fault.StatusCode is < 400 or > 599)
        {
            throw new ArgumentOutOfRangeException(nameof(fault), fault.StatusCode, "A fault's status must be 400–599.");
        }

        lock (_lock)
        {
            _rules[index] = fault.Count == 0 ? null : fault;
        }
    }

    /// <summary>Removes the rule of <paramref name="operation"/> (failed-attempt counts are kept).</summary>
    public void Clear(EmulatorOperation operation)
    {
        var index = Index(operation);
        lock (_lock)
        {
            _rules[index] = null;
        }
    }

    /// <summary>Removes every rule (failed-attempt counts are kept).</summary>
    public void ClearAll()
    {
        lock (_lock)
        {
            Array.Clear(_rules);
        }
    }

    /// <summary>The rule of <paramref name="operation"/> with the number of requests it still applies to, or
    /// <c>null</c> when there is none (never set, cleared, or used up).</summary>
    public EmulatorFault? Get(EmulatorOperation operation)
    {
        var index = Index(operation);
        lock (_lock)
        {
            return _rules[index];
        }
    }

    /// <summary>How many requests to <paramref name="operation"/> were answered by a fault or abandoned while a fault
    /// held them.</summary>
    public int GetFailedAttempts(EmulatorOperation operation) => Volatile.Read(ref _failedAttempts[Index(operation)]);

    /// <summary>Takes one use of the rule of <paramref name="operation"/>, if any.</summary>
    internal EmulatorFault? TryTake(EmulatorOperation operation)
    {
        var index = Index(operation);
        lock (_lock)
        {
            var rule = _rules[index];
            if (rule is null)
            {
                return null;
            }

            if (rule.Count != int.MaxValue)
            {
                _rules[index] = rule.Count == 1 ? null : rule with { Count = rule.Count - 1 };
            }

            return rule with { Count = 1 };
        }
    }

    internal void RecordFailedAttempt(EmulatorOperation operation) => Interlocked.Increment(ref _failedAttempts[Index(operation)]);

    private static int Index(EmulatorOperation operation)
    {
        var index = (int)operation;
        if ((uint)index >= (uint)OperationCount)
        {
            throw new ArgumentOutOfRangeException(nameof(operation), operation, null);
        }

        return index;
    }
}
