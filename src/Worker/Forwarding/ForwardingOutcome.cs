namespace Vespa.Worker.Forwarding;

/// <summary>How one forwarded exchange ended, as counted by admission and metrics.</summary>
internal enum ForwardingOutcome
{
    /// <summary>The backend's answer (any status) reached the client in full.</summary>
    Completed,

    /// <summary>The client went away; the backend call was cancelled.</summary>
    Cancelled,

    /// <summary>The backend failed, timed out or broke the stream.</summary>
    Failed,

    /// <summary>The caller's own request body was bad (too large, truncated).</summary>
    ClientError,
}
