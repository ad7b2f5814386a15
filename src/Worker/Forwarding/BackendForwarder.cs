using System.Net;
using System.Runtime.InteropServices;
using Microsoft.Net.Http.Headers;
using Vespa.Worker.Errors;
using Vespa.Worker.Options;
using Yarp.ReverseProxy.Forwarder;

namespace Vespa.Worker.Forwarding;

/// <summary>
/// Sends one admitted request to the backend through YARP's <see cref="IHttpForwarder"/> and maps
/// its <see cref="ForwarderError"/> to our JSON errors (502 unreachable, 504 idle timeout), or to an
/// aborted connection once the response has started: never a fake clean end.
/// </summary>
internal sealed partial class BackendForwarder
{
    private readonly IHttpForwarder _forwarder;
    private readonly HttpMessageInvoker _invoker;
    private readonly EnvelopeTransformer _transformer;
    private readonly BackendTarget _target;
    private readonly ForwarderRequestConfig _requestConfig;
    private readonly ILogger<BackendForwarder> _logger;
    private readonly string _idleSeconds;

    public BackendForwarder(IHttpForwarder forwarder, HttpMessageInvoker invoker, EnvelopeTransformer transformer, BackendTarget target, WorkerOptions options, ILogger<BackendForwarder> logger)
    {
        _forwarder = forwarder;
        _invoker = invoker;
        _transformer = transformer;
        _target = target;
        _logger = logger;
        _idleSeconds = options.IdleTimeout.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        _requestConfig = new ForwarderRequestConfig
        {
            // An idle (activity) timeout, reset by every byte in either direction: long generations are never cut.
            ActivityTimeout = options.IdleTimeout,
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
        };
    }

    public async Task<ForwardingOutcome> ForwardAsync(HttpContext context, ForwardingPlan plan)
    {
        context.Features.Set(plan);
        if (plan.Body is { } body)
        {
            InstallBody(context.Request, body, plan.ContentType);
        }

        var error = await _forwarder.SendAsync(context, _target.Prefix, _invoker, _requestConfig, _transformer, context.RequestAborted);
        if (error == ForwarderError.None)
        {
            return ForwardingOutcome.Completed;
        }

        var exception = context.Features.Get<IForwarderErrorFeature>()?.Exception;
        // When the backend breaks mid-stream YARP aborts the client connection itself, and Kestrel signals
        // RequestAborted on the thread pool: whether the token is already set here is a race, so a backend failure
        // must be classified by its error, never by the token, or it would be reported as the client's cancel.
        var backendBroke = error is ForwarderError.ResponseBodyDestination or ForwarderError.RequestBodyDestination;
        if ((context.RequestAborted.IsCancellationRequested && !backendBroke)
            || error is ForwarderError.RequestCanceled or ForwarderError.ResponseBodyCanceled or ForwarderError.RequestBodyCanceled or ForwarderError.ResponseBodyClient)
        {
            Log.ClientAborted(_logger, error);
            context.Abort();
            return ForwardingOutcome.Cancelled;
        }

        if (error == ForwarderError.RequestBodyClient)
        {
            Log.RequestBodyFailed(_logger, exception?.Message);
            if (!context.Response.HasStarted)
            {
                var status = context.Response.StatusCode is >= 400 and < 500 ? context.Response.StatusCode : StatusCodes.Status400BadRequest;
                await WorkerErrorWriter.WriteAsync(context, new WorkerError(status, "could not read the request body: " + (exception?.Message ?? error.ToString())));
            }
            else
            {
                context.Abort();
            }

            return ForwardingOutcome.ClientError;
        }

        Log.ForwardFailed(_logger, _target.BaseUrl.GetLeftPart(UriPartial.Authority), error, DescribeException(exception));
        if (context.Response.HasStarted)
        {
            // The backend broke mid-stream: abort so the client sees a truncated exchange, not a clean end.
            context.Abort();
        }
        else
        {
            await WorkerErrorWriter.WriteAsync(context, MapError(error, exception));
        }

        return ForwardingOutcome.Failed;
    }

    private static string DescribeException(Exception? exception) => exception switch
    {
        null => "no exception",
        { InnerException: { } inner } => $"{exception.GetType().Name}: {exception.Message} ({inner.GetType().Name}: {inner.Message})",
        _ => $"{exception.GetType().Name}: {exception.Message}",
    };

    /// <summary>
    /// Makes the already-read bytes (the unwrapped payload or a pass-through body) the request body
    /// YARP streams to the backend, with a matching Content-Length.
    /// </summary>
    private static void InstallBody(HttpRequest request, ReadOnlyMemory<byte> body, string? contentType)
    {
        request.Body = MemoryMarshal.TryGetArray(body, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(body.ToArray(), writable: false);
        request.Headers.Remove(HeaderNames.TransferEncoding);
        // Already in memory: a 100-continue handshake with the backend has no purpose.
        request.Headers.Remove(HeaderNames.Expect);
        request.ContentLength = body.Length;
        if (contentType is not null)
        {
            // The payload is new JSON text: the envelope's own content headers do not describe it.
            request.ContentType = contentType;
            request.Headers.Remove(HeaderNames.ContentEncoding);
        }
    }

    /// <summary>
    /// The caller's view of a failed backend call: what happened and what to do. The backend's
    /// address and the exception text are for the operator and go to the log (<see cref="Log.ForwardFailed"/>),
    /// never into the body a caller sees.
    /// </summary>
    private WorkerError MapError(ForwarderError error, Exception? exception) => error switch
    {
        ForwarderError.RequestTimedOut => IdleTimeout(),
        ForwarderError.ResponseBodyDestination when exception is OperationCanceledException or TimeoutException => IdleTimeout(),
        _ => new WorkerError(StatusCodes.Status502BadGateway, "the backend failed before answering; retry later"),
    };

    private WorkerError IdleTimeout() =>
        new(StatusCodes.Status504GatewayTimeout, $"backend idle timeout: the backend sent nothing for {_idleSeconds} s (VESPA_IDLE_TIMEOUT); retry later");

    private static partial class Log
    {
        [LoggerMessage(EventId = 201, EventName = "ForwardFailed", Level = LogLevel.Warning, Message = "Forwarding to the backend {Backend} failed: {Error} ({Detail})")]
        public static partial void ForwardFailed(ILogger logger, string backend, ForwarderError error, string detail);

        [LoggerMessage(EventId = 202, EventName = "ClientAborted", Level = LogLevel.Debug, Message = "Client went away; backend call cancelled ({Error})")]
        public static partial void ClientAborted(ILogger logger, ForwarderError error);

        [LoggerMessage(EventId = 203, EventName = "RequestBodyFailed", Level = LogLevel.Information, Message = "Could not read the client's request body: {Detail}")]
        public static partial void RequestBodyFailed(ILogger logger, string? detail);
    }
}
