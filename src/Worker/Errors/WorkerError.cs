namespace Vespa.Worker.Errors;

/// <summary>
/// An error the worker itself answers with (never a backend's): a status code, a message that
/// names the problem, and optional extra members written next to <c>error</c> (for example the
/// Python worker's 422 field map). Written by <see cref="WorkerErrorWriter"/>.
/// </summary>
internal sealed record WorkerError(int StatusCode, string Message, IReadOnlyDictionary<string, object>? Extra = null)
{
    public static WorkerError PayloadTooLarge(long limit) =>
        new(StatusCodes.Status413PayloadTooLarge, $"request body exceeds the limit of {limit} bytes (VESPA_MAX_BODY_BYTES)");

    public static WorkerError Blocked(string path) =>
        new(StatusCodes.Status403Forbidden, $"Path '{path}' is blocked. This endpoint is not available in serverless mode.");
}
