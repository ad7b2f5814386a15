namespace Vespa.Client.Resilience;

/// <summary>Where a call reports what it is doing (a spinner line on a terminal; nothing elsewhere).</summary>
internal interface IProgressSink
{
    /// <summary>The current step, e.g. "routing", "waiting for a worker: no workers ready".</summary>
    void Report(string status);
}
