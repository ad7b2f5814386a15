namespace Vespa.Deploy.Tests.Support;

/// <summary>How a script run ended.</summary>
internal sealed record ScriptResult(int ExitCode, string Stdout, string Stderr, int ProcessId)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}";
}
