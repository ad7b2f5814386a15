namespace Vespa.Emulator;

/// <summary>One line of the emulator's event log: what happened, when, to which worker.</summary>
public sealed class EmulatorEvent
{
    internal EmulatorEvent(DateTimeOffset time, EmulatorEventKind kind, string? worker, string message)
    {
        Time = time;
        Kind = kind;
        Worker = worker;
        Message = message;
    }

    /// <summary>1, 2, 3… in the order the events were recorded by one emulator.</summary>
    public long Sequence { get; internal set; }

    /// <summary>When it happened (the emulator's <see cref="TimeProvider"/>).</summary>
    public DateTimeOffset Time { get; }

    public EmulatorEventKind Kind { get; }

    /// <summary>The worker it concerns (its url, or <c>id:N</c>), or <c>null</c>.</summary>
    public string? Worker { get; }

    /// <summary>What happened, for people: the endpoint, request and worker of a route, why a route or report was
    /// refused, the records of a delete report, how long a stale worker has been silent.</summary>
    public string Message { get; }

    public override string ToString() => $"#{Sequence} {Kind} {Message}";
}
