namespace Vespa.Worker.Errors;

/// <summary>
/// An error the worker itself answers with (never a backend's): a status code, a message that
/// names the problem in terms the caller can act on, and optional extra members written next to
/// <c>error</c> (for example the Python worker's 422 field map). Internal details (backend
/// addresses, exception texts) belong in the log, not here. Written by <see cref="WorkerErrorWriter"/>.
/// </summary>
internal sealed record WorkerError(int StatusCode, string Message, IReadOnlyDictionary<string, object>? Extra = null)
{
    /// <summary>Seconds a caller is told to wait (<c>Retry-After</c>) when set.</summary>
    public int? RetryAfterSeconds { get; init; }

    public static WorkerError PayloadTooLarge(long limit) =>
        new(StatusCodes.Status413PayloadTooLarge, $"request body exceeds the limit of {limit} bytes (VESPA_MAX_BODY_BYTES)");

    public static WorkerError Blocked(string path) =>
        new(StatusCodes.Status403Forbidden, $"Path '{Shorten(path)}' is blocked. This endpoint is not available in serverless mode.");

    public static WorkerError AmbiguousPath(string path) =>
        new(StatusCodes.Status400BadRequest, $"Path '{Shorten(path)}' has an encoded '/' or '\\' (%2F, %5C) or a '.'/'..' segment once decoded, so the backend could route it differently from how this worker checks it; send the path with plain '/' separators and no dot segments (VESPA_ALLOW_ENCODED_SLASHES=true on the worker allows encoded separators).");

    public static WorkerError UnverifiedBudgetSpent(long budget) =>
        new(StatusCodes.Status503ServiceUnavailable, $"the worker is holding its limit of {budget} bytes of request bodies that are not verified yet (VESPA_UNVERIFIED_BODY_BUDGET); retry shortly")
        {
            RetryAfterSeconds = 1,
        };

    /// <summary>Caller-supplied text in a message is cut to this many characters.</summary>
    public const int MaxQuotedLength = 200;

    public static string Shorten(string text) =>
        text.Length <= MaxQuotedLength ? text : string.Concat(text.AsSpan(0, MaxQuotedLength), "…");
}
