namespace Vespa.Client.Resilience;

/// <summary>
/// The result of one attempt, as a value: errors never cross the pipeline as exceptions (only cancellation and
/// Polly's timeouts do). Owns the worker's <see cref="Response"/>, if any; Polly disposes the outcomes it retries.
/// </summary>
internal sealed class AttemptOutcome : IDisposable
{
    private AttemptOutcome(OutcomeKind kind, string message)
    {
        Kind = kind;
        Message = message;
    }

    public OutcomeKind Kind { get; }

    /// <summary>What happened, for people (status lines, error messages).</summary>
    public string Message { get; }

    /// <summary>The HTTP status that decided this outcome, if any.</summary>
    public int? StatusCode { get; private init; }

    /// <summary>The wait asked for by <c>Retry-After</c>.</summary>
    public TimeSpan? RetryAfter { get; private init; }

    /// <summary>The transport failure behind this outcome.</summary>
    public Exception? Exception { get; private init; }

    /// <summary>The worker that was routed to.</summary>
    public string? WorkerUrl { get; private init; }

    /// <summary>The worker's answer (headers read; the body as the sender left it).</summary>
    public HttpResponseMessage? Response { get; private init; }

    /// <summary>The body of a buffered answer (<c>call</c> without <c>--stream</c>).</summary>
    public byte[]? Body { get; private init; }

    /// <summary>A streamed answer's body stream and its first chunk, read inside the attempt so that a worker that
    /// dies before sending anything is retried.</summary>
    public Stream? BodyStream { get; private init; }

    public ReadOnlyMemory<byte> FirstChunk { get; private init; }

    /// <summary>The proxy's kept copy of a retryable answer it did not relay.</summary>
    public CapturedResponse? Captured { get; private init; }

    /// <summary>For <see cref="OutcomeKind.CircuitOpen"/>: the failure that opened the circuit, if known.</summary>
    public FailureCause? Cause { get; private init; }

    /// <summary>A control call's result (the endpoint list).</summary>
    public object? Value { get; private init; }

    /// <summary>Whether the pipeline may try again after this outcome.</summary>
    public bool IsTransient => Kind is OutcomeKind.Waiting or OutcomeKind.RouteUnavailable or OutcomeKind.WorkerStatus
        or OutcomeKind.WorkerUnreachable or OutcomeKind.CircuitOpen or OutcomeKind.ControlUnavailable;

    /// <summary>A relayed answer that the worker broke after it had started.</summary>
    public bool Broken { get; private init; }

    /// <summary>Whether this outcome counts against the worker's circuit: unreachable, a broken answer, or a 5xx/408
    /// (held back or relayed). A 429 does not: the worker is alive, only busy.</summary>
    public bool IsWorkerFailure => Kind is OutcomeKind.WorkerUnreachable
        || Broken
        || (Kind is OutcomeKind.WorkerStatus or OutcomeKind.Answered && StatusCode is >= 500 or 408);

    public static AttemptOutcome Answered(string workerUrl, HttpResponseMessage? response, byte[]? body = null, Stream? bodyStream = null, ReadOnlyMemory<byte> firstChunk = default) =>
        new(OutcomeKind.Answered, $"worker {workerUrl} answered {(response is null ? "" : (int)response.StatusCode)}")
        {
            WorkerUrl = workerUrl,
            Response = response,
            StatusCode = response is null ? null : (int)response.StatusCode,
            Body = body,
            BodyStream = bodyStream,
            FirstChunk = firstChunk,
        };

    /// <summary>The proxy relayed the worker's answer (or its start) to the caller; <paramref name="broken"/> when the
    /// worker broke it midway.</summary>
    public static AttemptOutcome Relayed(string workerUrl, int statusCode, bool broken = false) =>
        new(OutcomeKind.Answered, $"worker {workerUrl} answered {statusCode}{(broken ? ", then broke the answer" : "")}")
        {
            WorkerUrl = workerUrl,
            StatusCode = statusCode,
            Broken = broken,
        };

    public static AttemptOutcome Waiting(string status) =>
        new(OutcomeKind.Waiting, string.IsNullOrEmpty(status) ? "waiting for a worker" : "waiting for a worker: " + status);

    public static AttemptOutcome RouteUnavailable(string message, int? statusCode = null, TimeSpan? retryAfter = null, Exception? exception = null) =>
        new(OutcomeKind.RouteUnavailable, message) { StatusCode = statusCode, RetryAfter = retryAfter, Exception = exception };

    public static AttemptOutcome RouteRefused(string message, int statusCode) =>
        new(OutcomeKind.RouteRefused, message) { StatusCode = statusCode };

    public static AttemptOutcome WorkerStatus(string workerUrl, int statusCode, TimeSpan? retryAfter, HttpResponseMessage? response = null, byte[]? body = null, CapturedResponse? captured = null) =>
        new(OutcomeKind.WorkerStatus, $"worker {workerUrl} answered {statusCode}")
        {
            WorkerUrl = workerUrl,
            StatusCode = statusCode,
            RetryAfter = retryAfter,
            Response = response,
            Body = body,
            Captured = captured,
        };

    public static AttemptOutcome WorkerUnreachable(string workerUrl, string detail, Exception? exception = null) =>
        new(OutcomeKind.WorkerUnreachable, $"worker {workerUrl} failed: {detail}") { WorkerUrl = workerUrl, Exception = exception };

    /// <summary>The routed worker was not called: its circuit is open. The message leads with the failure that opened it
    /// (<paramref name="cause"/>), which is what the user needs to see.</summary>
    public static AttemptOutcome CircuitOpen(string workerUrl, FailureCause? cause) =>
        new(OutcomeKind.CircuitOpen, cause is null
            ? $"worker {workerUrl} skipped: its circuit is open after repeated failures"
            : $"{cause.Message}; its circuit is open after repeated failures, so it is skipped for now")
        {
            WorkerUrl = workerUrl,
            Cause = cause,
            StatusCode = cause?.StatusCode,
        };

    public static AttemptOutcome ControlUnavailable(string message, int? statusCode = null, TimeSpan? retryAfter = null, Exception? exception = null) =>
        new(OutcomeKind.ControlUnavailable, message) { StatusCode = statusCode, RetryAfter = retryAfter, Exception = exception };

    public static AttemptOutcome ControlRefused(string message, int statusCode) =>
        new(OutcomeKind.ControlRefused, message) { StatusCode = statusCode };

    public static AttemptOutcome ControlDone(object value) => new(OutcomeKind.ControlDone, "done") { Value = value };

    public void Dispose()
    {
        BodyStream?.Dispose();
        Response?.Dispose();
    }
}
