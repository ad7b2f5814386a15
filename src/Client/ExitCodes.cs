namespace Vespa.Client;

/// <summary>vespa-client's process exit codes (the table is in README.md, "vespa-client").</summary>
internal static class ExitCodes
{
    /// <summary>Done (for long-running commands: stopped by Ctrl+C or SIGTERM).</summary>
    public const int Success = 0;

    /// <summary>A runtime failure that fits no other code, e.g. the listen port is taken.</summary>
    public const int Failure = 1;

    /// <summary>Bad command line: unknown option, bad value, missing argument, conflicting options, no endpoint
    /// named where none can be asked for, an endpoint name the account does not have.</summary>
    public const int Usage = 2;

    /// <summary>No key to use, or a key refused: the autoscaler refused the endpoint key (401/403), the console
    /// refused the account key, or no endpoint key and no account key were found.</summary>
    public const int Auth = 3;

    /// <summary>No capacity or out of time: the endpoint had no ready worker (WAITING) until the total timeout, the
    /// total or per-attempt timeout ran out, or every worker tried had its circuit open.</summary>
    public const int Unavailable = 4;

    /// <summary>Transport failure: the autoscaler, the console or a worker could not be reached (connection refused,
    /// DNS, TLS rejected) after the retries, or a stream broke after it had started.</summary>
    public const int Transport = 5;

    /// <summary>An HTTP error answer: the worker or its backend answered 4xx/5xx (after the retries, for retryable
    /// statuses), or the autoscaler or console refused the request other than for the key.</summary>
    public const int HttpError = 6;

    /// <summary>Cancelled by Ctrl+C or SIGTERM (128 + SIGINT) while a request was under way.</summary>
    public const int Cancelled = 130;
}
