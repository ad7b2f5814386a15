namespace Vespa.Emulator;

/// <summary>A change in a worker's standing that the event log records.</summary>
internal sealed record WorkerTransition(EmulatorEventKind Kind, string Worker, string Message);
