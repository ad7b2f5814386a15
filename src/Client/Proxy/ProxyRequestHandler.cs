using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using Vespa.Client.Commands;
using Vespa.Client.Configuration;
using Vespa.Client.Http;
using Vespa.Client.Output;
using Vespa.Client.Requests;
using Vespa.Client.Resilience;
using Vespa.Client.Routing;
using Yarp.ReverseProxy.Forwarder;

namespace Vespa.Client.Proxy;

/// <summary>
/// Handles every request the local proxy receives: <c>GET /health</c> itself; anything else is routed through the
/// autoscaler and forwarded to the worker with YARP, retried by the shared pipeline until the answer starts.
/// </summary>
/// <remarks>
/// <para>Steps: (1) <c>/health</c>, with <c>?deep=1</c> a real route and a probe of the routed worker
/// (<see cref="DeepHealthAsync"/>); (2) the cost from <c>X-Serverless-Cost</c>; (3) the body, read in full (it is
/// resent on a retry) and the auth-data form chosen; (4) the pipeline: route, circuit, forward
/// (<see cref="ForwardAsync"/>); (5) an answer that never started (retries spent, no capacity, time out, key refused)
/// becomes an error or the last held-back worker answer.</para>
/// <para>The proxy's own errors have OpenAI's shape, <c>{"error": {"message", "type", "code"}}</c>, so OpenAI SDKs
/// raise their usual exceptions: a refused endpoint key is 401 <c>authentication_error</c>/<c>invalid_api_key</c>
/// (an SDK's authentication error), no capacity 503, out of time 504, an unreachable worker or autoscaler 502
/// (<c>server_error</c> with a code saying which).</para>
/// </remarks>
internal sealed class ProxyRequestHandler(
    EndpointCaller caller,
    ClientRuntime runtime,
    IHttpForwarder forwarder,
    double defaultCost,
    CliConsole console)
{
    private const string InvalidRequest = "invalid_request_error";
    private const string AuthenticationError = "authentication_error";
    private const string ServerError = "server_error";

    private readonly WorkerTransformer _transformer = new(runtime.Time);
    private readonly TextWriter _log = TextWriter.Synchronized(console.Error);

    private readonly ForwarderRequestConfig _requestConfig = new()
    {
        // Reset by every byte either way: a long generation is never cut, a silent worker is.
        ActivityTimeout = runtime.Settings.IdleTimeout,
        Version = HttpVersion.Version11,
        VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
    };

    public async Task HandleAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var request = context.Request;

        // :: Step 1: the proxy's own health answer.
        if (HttpMethods.IsGet(request.Method) && request.Path.Equals("/health", StringComparison.Ordinal))
        {
            if (request.Query["deep"].ToString() is "1" or "true" or "yes")
            {
                await DeepHealthAsync(context).ConfigureAwait(false);
                return;
            }

            await WriteJsonAsync(context, StatusCodes.Status200OK, writer =>
            {
                writer.WriteStartObject();
                writer.WriteString("status", "healthy");
                writer.WriteString("endpoint", caller.Target.Name);
                writer.WriteEndObject();
            }).ConfigureAwait(false);
            return;
        }

        var started = runtime.Time.GetTimestamp();

        // :: Step 2: the workload.
        var cost = defaultCost;
        if (request.Headers.TryGetValue(VespaHeaders.Cost, out var costHeader) && !WorkerRequestForms.TryParseCost(costHeader.ToString(), out cost))
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, $"{VespaHeaders.Cost} must be a number above 0, not '{costHeader}'", InvalidRequest, "invalid_cost").ConfigureAwait(false);
            Log(context, started, null, "bad cost header");
            return;
        }

        // :: Step 3: the body and the form.
        var body = await ReadBodyAsync(context).ConfigureAwait(false);
        if (body is null)
        {
            return;
        }

        var form = WorkerRequestForms.Choose(request.Method, request.ContentType, request.Headers.ContainsKey(HeaderNames.ContentEncoding), body);
        var hadBody = body.Length > 0;

        // :: Step 4: route and forward until an answer starts, the retries are spent or the time runs out.
        var result = await caller.ExecuteAsync(
            cost,
            (ticket, call, token) => ForwardAsync(context, form, body, hadBody, ticket, call, token),
            NullProgressSink.Instance,
            context.RequestAborted).ConfigureAwait(false);
        using var outcome = result.Outcome;

        // :: Step 5: what the caller gets when no answer was relayed.
        if (outcome is { Kind: OutcomeKind.Answered, Broken: true })
        {
            // A stream the worker broke after it started is not a success, whatever status went out first (YARP has
            // aborted the caller's connection, so they see it broken too).
            Log(context, started, result, "the worker broke the answer after it had started", broken: true);
            return;
        }

        if (result.Cancelled || context.RequestAborted.IsCancellationRequested)
        {
            Log(context, started, result, "the caller went away");
            context.Abort();
            return;
        }

        if (outcome is { Kind: OutcomeKind.Answered })
        {
            Log(context, started, result, null);
            return;
        }

        ResetResponse(context);
        if (outcome?.Captured is { } captured)
        {
            await WriteCapturedAsync(context, captured).ConfigureAwait(false);
            Log(context, started, result, outcome.Message + " (retries spent)");
            return;
        }

        var failure = Failures.From(result, runtime.Settings.TotalTimeout) ?? new CommandFailure(ExitCodes.Failure, "no answer", "upstream_error");
        var (status, type) = StatusOf(failure);
        await WriteErrorAsync(context, status, failure.Message, type, failure.Code ?? "upstream_error").ConfigureAwait(false);
        Log(context, started, result, failure.Message);
    }

    /// <summary>The proxy's status and OpenAI error type for a failure that left no answer to relay.</summary>
    internal static (int Status, string Type) StatusOf(CommandFailure failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        return failure.ExitCode switch
        {
            ExitCodes.Auth => (StatusCodes.Status401Unauthorized, AuthenticationError),
            ExitCodes.Unavailable when failure.Code == "timeout" => (StatusCodes.Status504GatewayTimeout, ServerError),
            ExitCodes.Unavailable => (StatusCodes.Status503ServiceUnavailable, ServerError),
            _ => (StatusCodes.Status502BadGateway, ServerError),
        };
    }

    /// <summary>
    /// <c>GET /health?deep=1</c>: what a request would meet now. One route (no retries, no waiting) proves the
    /// autoscaler answers and takes the endpoint key; a signed <c>GET /health</c> to the routed worker proves it is up.
    /// 200 <c>{"status": "healthy", "endpoint", "worker", "worker_status"}</c>, else 503
    /// <c>{"status": "unhealthy", "endpoint", "worker"?, "error": {"message", "type", "code"}}</c>. A worker that
    /// answers with any status below 500 other than 401/403 is up (an official worker serves POST routes only and may
    /// answer 404 or 405).
    /// </summary>
    private async Task DeepHealthAsync(HttpContext context)
    {
        var started = runtime.Time.GetTimestamp();
        var state = new CallState(NullProgressSink.Instance, context.RequestAborted);
        var (ticket, refusal) = await runtime.Autoscaler.RouteAsync(caller.Target, defaultCost, state, context.RequestAborted).ConfigureAwait(false);
        if (ticket is null)
        {
            using (refusal)
            {
                var failure = Failures.From(CallResult.From(refusal!, state), runtime.Settings.TotalTimeout)!;
                var type = failure.ExitCode == ExitCodes.Auth ? AuthenticationError : ServerError;
                await WriteUnhealthyAsync(context, null, failure.Message, type, failure.Code ?? "upstream_error").ConfigureAwait(false);
                Log(context, started, null, "deep health: " + failure.Message);
                return;
            }
        }

        var worker = ticket.WorkerUrl;
        var probe = WorkerRequestForms.WorkerUri(worker, "/health", WorkerRequestForms.Query(null, ticket.AuthData));
        int status;
        try
        {
            if (worker.StartsWith("https:", StringComparison.OrdinalIgnoreCase))
            {
                await runtime.EnsureVastRootAsync(context.RequestAborted).ConfigureAwait(false);
            }

            using var timeout = new CancellationTokenSource(runtime.Settings.ControlTimeout, runtime.Time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, timeout.Token);
            using var request = new HttpRequestMessage(HttpMethod.Get, probe);
            request.Headers.TryAddWithoutValidation("User-Agent", ClientVersion.UserAgent);
            using var response = await runtime.Invoker.SendAsync(request, linked.Token).ConfigureAwait(false);
            status = (int)response.StatusCode;
        }
        catch (OperationCanceledException) when (!context.RequestAborted.IsCancellationRequested)
        {
            await WriteUnhealthyAsync(context, worker, $"worker {worker} did not answer GET /health within {runtime.Settings.ControlTimeout.TotalSeconds:0.#}s", ServerError, "timeout").ConfigureAwait(false);
            Log(context, started, null, "deep health: worker timed out");
            return;
        }
        catch (HttpRequestException e)
        {
            var message = $"worker {worker} failed: {TransportErrors.Describe(e)}";
            await WriteUnhealthyAsync(context, worker, message, ServerError, "worker_unreachable").ConfigureAwait(false);
            Log(context, started, null, "deep health: " + message);
            return;
        }

        if (status is >= 500 or 401 or 403)
        {
            await WriteUnhealthyAsync(context, worker, $"worker {worker} answered GET /health with {status}", ServerError, "worker_error").ConfigureAwait(false);
            Log(context, started, null, $"deep health: worker answered {status}");
            return;
        }

        await WriteJsonAsync(context, StatusCodes.Status200OK, writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("status", "healthy");
            writer.WriteString("endpoint", caller.Target.Name);
            writer.WriteString("worker", worker);
            writer.WriteNumber("worker_status", status);
            writer.WriteEndObject();
        }).ConfigureAwait(false);
    }

    private Task WriteUnhealthyAsync(HttpContext context, string? worker, string message, string type, string code) =>
        WriteJsonAsync(context, StatusCodes.Status503ServiceUnavailable, writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("status", "unhealthy");
            writer.WriteString("endpoint", caller.Target.Name);
            if (worker is not null)
            {
                writer.WriteString("worker", worker);
            }

            WriteError(writer, message, type, code);
            writer.WriteEndObject();
        });

    /// <summary>One forwarding attempt to the routed worker. Every worker answer and transport failure is a value; it
    /// throws only <see cref="OperationCanceledException"/> (the caller left, or the pipeline's timeouts fired before
    /// the answer started).</summary>
    private async ValueTask<AttemptOutcome> ForwardAsync(HttpContext context, RequestForm form, byte[] body, bool hadBody, RouteTicket ticket, CallState call, CancellationToken cancellationToken)
    {
        var request = context.Request;
        var worker = ticket.WorkerUrl;
        ResetResponse(context);
        var query = WorkerRequestForms.Query(request.QueryString.Value, form == RequestForm.Query ? ticket.AuthData : null);
        var destination = WorkerRequestForms.WorkerUri(worker, request.Path.Value ?? "/", query);
        using var attempt = new ProxyAttempt(
            destination,
            form,
            form == RequestForm.Header ? WorkerRequestForms.HeaderValue(ticket.AuthData) : null,
            mayRetry: call.Failures < runtime.Settings.MaxRetries);
        context.Features.Set(attempt);
        InstallBody(request, form == RequestForm.Envelope ? WorkerRequestForms.Envelope(ticket.AuthData, body) : body, form == RequestForm.Envelope, hadBody);

        ForwarderError error;
        using (cancellationToken.UnsafeRegister(static state => ((ProxyAttempt)state!).CancelUnlessStarted(), attempt))
        {
            error = await forwarder.SendAsync(context, worker, runtime.Invoker, _requestConfig, _transformer, attempt.Forwarding.Token).ConfigureAwait(false);
        }

        context.Features.Set<ProxyAttempt>(null);
        if (attempt.Captured is { } captured)
        {
            return AttemptOutcome.WorkerStatus(worker, captured.StatusCode, attempt.RetryAfter, captured: captured);
        }

        if (error == ForwarderError.None || context.Response.HasStarted)
        {
            // Relayed, or broken after bytes reached the caller (YARP aborted the connection): never retried. Broken is
            // the worker's side failing (or going silent past the idle timeout), not the caller leaving.
            var broken = error is ForwarderError.ResponseBodyDestination;
            return AttemptOutcome.Relayed(worker, context.Response.StatusCode, broken);
        }

        var exception = context.Features.Get<IForwarderErrorFeature>()?.Exception;
        ResetResponse(context);
        if (context.RequestAborted.IsCancellationRequested)
        {
            throw new OperationCanceledException("The caller went away.", context.RequestAborted);
        }

        cancellationToken.ThrowIfCancellationRequested();
        // The exception says what happened ("Connection refused (host:port)"); YARP's stage name only when there is none.
        var detail = exception is null ? $"forwarding failed ({error})" : TransportErrors.Describe(exception);
        return AttemptOutcome.WorkerUnreachable(worker, detail, exception ?? new HttpRequestException(detail));
    }

    /// <summary>Makes <paramref name="bytes"/> the body YARP sends, with a matching Content-Length.</summary>
    private static void InstallBody(HttpRequest request, byte[] bytes, bool envelope, bool hadBody)
    {
        request.Body = new MemoryStream(bytes, writable: false);
        request.Headers.Remove(HeaderNames.TransferEncoding);
        // Already in memory: a 100-continue handshake with the worker has no purpose.
        request.Headers.Remove(HeaderNames.Expect);
        if (hadBody || bytes.Length > 0)
        {
            request.ContentLength = bytes.Length;
        }

        if (envelope)
        {
            request.ContentType = "application/json";
        }
    }

    private static void ResetResponse(HttpContext context)
    {
        context.Features.Set<IForwarderErrorFeature>(null);
        if (!context.Response.HasStarted)
        {
            context.Response.Clear();
        }
    }

    /// <summary>The whole request body, or <c>null</c> (answered 413) when it is over the limit.</summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpContext context)
    {
        var request = context.Request;
        if (request.ContentLength > ClientDefaults.MaxProxyBodyBytes)
        {
            await WriteErrorAsync(context, StatusCodes.Status413PayloadTooLarge, $"the body is larger than the proxy's {ClientDefaults.MaxProxyBodyBytes} bytes", InvalidRequest, "request_too_large").ConfigureAwait(false);
            return null;
        }

        try
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer, context.RequestAborted).ConfigureAwait(false);
            return buffer.ToArray();
        }
        catch (BadHttpRequestException e)
        {
            await WriteErrorAsync(context, e.StatusCode, "the request body could not be read: " + e.Message, InvalidRequest, "invalid_body").ConfigureAwait(false);
            return null;
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            // The caller went away while sending.
            context.Abort();
            return null;
        }
    }

    private static async Task WriteCapturedAsync(HttpContext context, CapturedResponse captured)
    {
        var response = context.Response;
        response.StatusCode = captured.StatusCode;
        if (captured.ContentType is not null)
        {
            response.ContentType = captured.ContentType;
        }

        response.ContentLength = captured.Body.Length;
        await response.Body.WriteAsync(captured.Body, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>OpenAI's error shape: <c>{"error": {"message", "type", "code"}}</c>.</summary>
    private static Task WriteErrorAsync(HttpContext context, int status, string message, string type, string code) =>
        WriteJsonAsync(context, status, writer =>
        {
            writer.WriteStartObject();
            WriteError(writer, message, type, code);
            writer.WriteEndObject();
        });

    private static void WriteError(System.Text.Json.Utf8JsonWriter writer, string message, string type, string code)
    {
        writer.WriteStartObject("error");
        writer.WriteString("message", message);
        writer.WriteString("type", type);
        writer.WriteString("code", code);
        writer.WriteEndObject();
    }

    private static async Task WriteJsonAsync(HttpContext context, int status, Action<System.Text.Json.Utf8JsonWriter> write)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(JsonOutput.Write(write));
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "application/json";
        response.ContentLength = bytes.Length;
        await response.Body.WriteAsync(bytes, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>One line per request on the error writer: never bodies, keys or auth data. An answer the worker broke
    /// after it had started reads <c>-&gt; 200 broken</c>: its status went out before the failure.</summary>
    private void Log(HttpContext context, long started, CallResult? result, string? problem, bool broken = false)
    {
        var elapsed = runtime.Time.GetElapsedTime(started).TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture);
        var worker = result?.State.WorkerUrl ?? "-";
        var attempts = result?.State.Attempts ?? 0;
        var line = $"{runtime.Time.GetUtcNow():HH:mm:ss} {context.Request.Method} {context.Request.Path} -> {context.Response.StatusCode}{(broken ? " broken" : "")} via {worker} ({attempts} attempt(s), {elapsed}s)"
            + (problem is null ? "" : ": " + problem);
        // Problems quote what the autoscaler and workers said: on a terminal, shown and not obeyed.
        _log.WriteLine(console.IsErrorTerminal ? TerminalText.Sanitize(line) : line);
    }
}
