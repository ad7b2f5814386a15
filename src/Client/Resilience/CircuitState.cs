namespace Vespa.Client.Resilience;

/// <summary>A worker's circuit.</summary>
internal enum CircuitState
{
    /// <summary>Calls go through.</summary>
    Closed,

    /// <summary>Calls are skipped until the break duration has passed.</summary>
    Open,

    /// <summary>One probe call is under way; its result closes or re-opens the circuit.</summary>
    HalfOpen,
}
