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
/// Steps: (1) <c>/health</c>; (2) the cost from <c>X-Serverless-Cost</c>; (3) the body, read in full (it is resent on
/// a retry) and the auth-data form chosen; (4) the pipeline: route, circuit, forward (<see cref="ForwardAsync"/>);
/// (5) an answer that never started (retries spent, no capacity, time out) becomes a JSON error or the last held-back
/// worker answer.
/// </remarks>
internal sealed class ProxyRequestHandler(
    EndpointCaller caller,
    ClientRuntime runtime,
    IHttpForwarder forwarder,
    double defaultCost,
    CliConsole console)
{
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
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, $"{VespaHeaders.Cost} must be a number above 0, not '{costHeader}'").ConfigureAwait(false);
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

        var failure = Failures.From(result, runtime.Settings.TotalTimeout) ?? new CommandFailure(ExitCodes.Failure, "no answer");
        var status = failure.ExitCode switch
        {
            ExitCodes.Unavailable when result.TimedOut => StatusCodes.Status504GatewayTimeout,
            ExitCodes.Unavailable => StatusCodes.Status503ServiceUnavailable,
            _ => StatusCodes.Status502BadGateway,
        };
        await WriteErrorAsync(context, status, failure.Message).ConfigureAwait(false);
        Log(context, started, result, failure.Message);
    }

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
            // Relayed, or broken after bytes reached the caller (YARP aborted the connection): never retried.
            return AttemptOutcome.Relayed(worker, context.Response.StatusCode, broken: error is ForwarderError.ResponseBodyDestination);
        }

        var exception = context.Features.Get<IForwarderErrorFeature>()?.Exception;
        ResetResponse(context);
        if (context.RequestAborted.IsCancellationRequested)
        {
            throw new OperationCanceledException("The caller went away.", context.RequestAborted);
        }

        cancellationToken.ThrowIfCancellationRequested();
        var detail = exception is null ? error.ToString() : $"{error}: {TransportErrors.Describe(exception)}";
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
            await WriteErrorAsync(context, StatusCodes.Status413PayloadTooLarge, $"the body is larger than the proxy's {ClientDefaults.MaxProxyBodyBytes} bytes").ConfigureAwait(false);
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
            await WriteErrorAsync(context, e.StatusCode, "the request body could not be read: " + e.Message).ConfigureAwait(false);
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

    private static Task WriteErrorAsync(HttpContext context, int status, string message) =>
        WriteJsonAsync(context, status, writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("error", message);
            writer.WriteEndObject();
        });

    private static async Task WriteJsonAsync(HttpContext context, int status, Action<System.Text.Json.Utf8JsonWriter> write)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(JsonOutput.Write(write));
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "application/json";
        response.ContentLength = bytes.Length;
        await response.Body.WriteAsync(bytes, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>One line per request on the error writer: never bodies, keys or auth data.</summary>
    private void Log(HttpContext context, long started, CallResult? result, string? problem)
    {
        var elapsed = runtime.Time.GetElapsedTime(started).TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture);
        var worker = result?.State.WorkerUrl ?? "-";
        var attempts = result?.State.Attempts ?? 0;
        var line = $"{runtime.Time.GetUtcNow():HH:mm:ss} {context.Request.Method} {context.Request.Path} -> {context.Response.StatusCode} via {worker} ({attempts} attempt(s), {elapsed}s)"
            + (problem is null ? "" : ": " + problem);
        _log.WriteLine(line);
    }
}
