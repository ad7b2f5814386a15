namespace Vespa.Worker.Envelopes;

/// <summary>How reading a request body ended.</summary>
internal enum RequestBodyStatus
{
    /// <summary>Read in full.</summary>
    Complete,

    /// <summary>Declared or found to be over the size limit (413).</summary>
    TooLarge,

    /// <summary>The unverified-body budget could not hold it (503).</summary>
    BudgetSpent,
}
