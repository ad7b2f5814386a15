namespace Vespa.Client.Resilience;

/// <summary>Reports nowhere.</summary>
internal sealed class NullProgressSink : IProgressSink
{
    public static NullProgressSink Instance { get; } = new();

    public void Report(string status)
    {
    }
}
