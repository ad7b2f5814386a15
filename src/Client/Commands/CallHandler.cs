using System.CommandLine;
using System.Text;
using Vespa.Client.Http;
using Vespa.Client.Output;
using Vespa.Client.Requests;
using Vespa.Client.Resilience;
using Vespa.Client.Routing;

namespace Vespa.Client.Commands;

/// <summary>
/// Runs <c>call</c>: resolves the endpoint, sends through the pipeline (route, worker, retries), then prints.
/// Retries end at the answer's first byte: a streamed answer is shown as it arrives and never retried after that; a
/// non-streamed one is read in full inside the attempt, so a worker that breaks it is still retried.
/// </summary>
internal sealed class CallHandler(CliConsole console, ClientServices services)
{
    private const int ChunkSize = 16 * 1024;

    /// <summary>A retryable error answer is kept for the message if the retries run out; its body is cut here.</summary>
    private const int MaxErrorBody = 1024 * 1024;

    public async Task<int> RunAsync(CallArguments arguments, ParseResult parse, ClientOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var json = arguments.Mode == OutputMode.Json;
        var (body, fromFile, dataFailure) = await ReadDataAsync(arguments.Data, cancellationToken).ConfigureAwait(false);
        if (dataFailure is not null)
        {
            return await dataFailure.ReportAsync(console, "call", json).ConfigureAwait(false);
        }

        // Everything about the body is settled before anything goes over the network.
        var (contentType, bodyFailure) = ContentType(arguments, body, fromFile);
        if (bodyFailure is not null)
        {
            return await bodyFailure.ReportAsync(console, "call", json).ConfigureAwait(false);
        }

        if (arguments.Stream && body.Length > 0 && WorkerRequestForms.IsJsonMediaType(contentType))
        {
            (body, var note) = JsonBody.WithStreamTrue(body);
            if (note is not null)
            {
                await console.Error.WriteLineAsync("vespa-client call: " + note).ConfigureAwait(false);
            }
        }

        var (runtime, failure) = RuntimeFactory.Create(parse, options, services, console);
        if (runtime is null)
        {
            return await failure!.ReportAsync(console, "call", json).ConfigureAwait(false);
        }

        using (runtime)
        {
            try
            {
                var resolver = new EndpointResolver(console, runtime, options, parse, services.Environment);
                var (target, resolveFailure) = await resolver.ResolveAsync(needKey: true, cancellationToken).ConfigureAwait(false);
                if (target is null)
                {
                    return await resolveFailure!.ReportAsync(console, "call", json).ConfigureAwait(false);
                }

                var call = new WorkerCall(arguments.Method, arguments.PathAndQuery, body, contentType, arguments.Headers);
                return await CallAsync(runtime, target, call, arguments, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return await CommandFailure.Cancelled().ReportAsync(console, "call", json).ConfigureAwait(false);
            }
        }
    }

    private async Task<int> CallAsync(ClientRuntime runtime, EndpointTarget target, WorkerCall call, CallArguments arguments, CancellationToken cancellationToken)
    {
        var json = arguments.Mode == OutputMode.Json;
        var caller = new EndpointCaller(runtime, target);
        CallResult result;
        var status = new StatusLine(console, services.Time);
        await using (status.ConfigureAwait(false))
        {
            result = await caller.ExecuteAsync(arguments.Cost, (ticket, _, token) => SendAsync(runtime, call, ticket, arguments.Stream, token), status, cancellationToken).ConfigureAwait(false);
        }

        using var outcome = result.Outcome;
        var failure = Failures.From(result, runtime.Settings.TotalTimeout);
        if (outcome?.Response is { } response && outcome.Kind is OutcomeKind.Answered or OutcomeKind.WorkerStatus)
        {
            var exit = await PrintAnswerAsync(runtime, target, result, outcome, response, arguments, cancellationToken).ConfigureAwait(false);
            if (failure is not null)
            {
                await console.Error.WriteLineAsync("vespa-client call: " + failure.Message).ConfigureAwait(false);
                return failure.ExitCode;
            }

            return exit;
        }

        return await failure!.ReportAsync(console, "call", json).ConfigureAwait(false);
    }

    /// <summary>One worker call: up to the first byte of a streamed answer, or all of a buffered one. Every answer and
    /// transport failure is a value; only cancellation throws.</summary>
    private static async ValueTask<AttemptOutcome> SendAsync(ClientRuntime runtime, WorkerCall call, RouteTicket ticket, bool stream, CancellationToken cancellationToken)
    {
        var worker = ticket.WorkerUrl;
        HttpResponseMessage response;
        using (var request = call.Create(ticket))
        {
            try
            {
                response = await runtime.Invoker.SendAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException e)
            {
                return AttemptOutcome.WorkerUnreachable(worker, TransportErrors.Describe(e), e);
            }
        }

        var status = (int)response.StatusCode;
        try
        {
            if (status is 408 or 429 or >= 500)
            {
                var errorBody = await ReadAllAsync(response.Content, MaxErrorBody, cancellationToken).ConfigureAwait(false);
                return AttemptOutcome.WorkerStatus(worker, status, RetryAfter.From(response, runtime.Time), response, errorBody);
            }

            if (!stream)
            {
                var body = await ReadAllAsync(response.Content, int.MaxValue, cancellationToken).ConfigureAwait(false);
                return AttemptOutcome.Answered(worker, response, body);
            }

            var bodyStream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            var first = new byte[ChunkSize];
            var read = await bodyStream.ReadAsync(first, cancellationToken).ConfigureAwait(false);
            return AttemptOutcome.Answered(worker, response, bodyStream: bodyStream, firstChunk: first.AsMemory(0, read));
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            // Nothing of this answer has been shown: the worker failed it, and another attempt may succeed.
            response.Dispose();
            return AttemptOutcome.WorkerUnreachable(worker, "its answer broke before anything was shown: " + TransportErrors.Describe(e), e);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    private async Task<int> PrintAnswerAsync(ClientRuntime runtime, EndpointTarget target, CallResult result, AttemptOutcome outcome, HttpResponseMessage response, CallArguments arguments, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        var mediaType = MediaTypes.Of(response.Content.Headers);
        var printer = new AnswerPrinter(console, services.Time);
        StreamReport? report = null;
        if (outcome.Body is { } body && (!arguments.Stream || outcome.Kind == OutcomeKind.WorkerStatus))
        {
            if (arguments.Mode != OutputMode.Json)
            {
                await printer.PrintBodyAsync(mediaType, body, arguments.Mode).ConfigureAwait(false);
            }
        }
        else
        {
            report = await printer.StreamAsync(mediaType, outcome.FirstChunk, outcome.BodyStream, arguments.Mode, runtime.Settings.IdleTimeout, cancellationToken).ConfigureAwait(false);
        }

        if (arguments.Mode == OutputMode.Json)
        {
            await console.Output.WriteLineAsync(Summary(target, result, outcome, response, report)).ConfigureAwait(false);
            await console.Output.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        if (report?.Failure is { } broke)
        {
            await console.Error.WriteLineAsync($"vespa-client call: the answer from {outcome.WorkerUrl} broke after {report.Bytes} bytes ({broke}); not retried, since part of it was shown.").ConfigureAwait(false);
            return ExitCodes.Transport;
        }

        if (status >= 400 && outcome.Kind == OutcomeKind.Answered)
        {
            await console.Error.WriteLineAsync($"vespa-client call: worker {outcome.WorkerUrl} answered {status} {response.ReasonPhrase}").ConfigureAwait(false);
            return ExitCodes.HttpError;
        }

        return ExitCodes.Success;
    }

    private static string Summary(EndpointTarget target, CallResult result, AttemptOutcome outcome, HttpResponseMessage response, StreamReport? report) =>
        JsonOutput.Write(writer =>
        {
            var status = (int)response.StatusCode;
            writer.WriteStartObject();
            writer.WriteNumber("status", status);
            writer.WriteBoolean("ok", status < 400 && report?.Failure is null && outcome.Kind == OutcomeKind.Answered);
            writer.WriteString("endpoint", target.Name);
            writer.WriteString("worker", outcome.WorkerUrl);
            writer.WriteNumber("request_idx", result.State.RequestIdx);
            writer.WriteNumber("attempts", result.State.Attempts);
            writer.WriteNumber("worker_calls", result.State.WorkerCalls);
            writer.WriteString("content_type", response.Content.Headers.ContentType?.ToString());
            if (report is null)
            {
                JsonOutput.WriteBody(writer, "body", outcome.Body ?? []);
            }
            else
            {
                writer.WriteNumber("events", report.Events);
                writer.WriteNumber("bytes", report.Bytes);
                if (report.Failure is not null)
                {
                    writer.WriteString("error", "stream broke: " + report.Failure);
                }
            }

            writer.WriteEndObject();
        });

    /// <summary>The body and whether it came from a file (<c>@FILE</c>), or why it cannot be read.</summary>
    private async Task<(byte[] Body, bool FromFile, CommandFailure? Failure)> ReadDataAsync(string? data, CancellationToken cancellationToken)
    {
        if (data is null)
        {
            return ([], false, null);
        }

        if (data == "-")
        {
            var text = await console.Input.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
            return (Encoding.UTF8.GetBytes(text), false, null);
        }

        if (data.StartsWith('@'))
        {
            var file = data[1..];
            try
            {
                return (await File.ReadAllBytesAsync(file, cancellationToken).ConfigureAwait(false), true, null);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return ([], true, CommandFailure.Usage($"--data {data}: {e.Message}"));
            }
        }

        return (Encoding.UTF8.GetBytes(data), false, null);
    }

    /// <summary>
    /// The body's content type, and a usage failure when a body that should be JSON is not. JSON is expected when
    /// <c>--content-type</c> says so, or, without it, for text typed on the command line or read from standard input
    /// and for a <c>.json</c> file; those are checked here, so a typo fails at once (exit 2, with the position) instead
    /// of as a routed request the backend refuses. Any other file without <c>--content-type</c> is sent as JSON when it
    /// is JSON and as <c>application/octet-stream</c> otherwise (audio, images).
    /// </summary>
    private static (string? ContentType, CommandFailure? Failure) ContentType(CallArguments arguments, byte[] body, bool fromFile)
    {
        if (body.Length == 0)
        {
            return (arguments.ContentType, null);
        }

        var given = arguments.ContentType;
        var expectJson = given is not null
            ? WorkerRequestForms.IsJsonMediaType(given)
            : !fromFile || arguments.Data!.EndsWith(".json", StringComparison.OrdinalIgnoreCase);
        if (!expectJson)
        {
            return (given ?? (WorkerRequestForms.IsJson(body) ? "application/json" : "application/octet-stream"), null);
        }

        if (JsonBody.Problem(body) is { } problem)
        {
            var what = fromFile ? $"--data {arguments.Data}" : arguments.Data == "-" ? "--data - (standard input)" : "--data";
            return (null, CommandFailure.Usage($"{what} is not valid JSON: {problem}. Nothing was sent; for a body that is not JSON, pass --content-type."));
        }

        return (given ?? "application/json", null);
    }

    private static async Task<byte[]> ReadAllAsync(HttpContent content, int limit, CancellationToken cancellationToken)
    {
        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var buffer = new MemoryStream();
            var chunk = new byte[ChunkSize];
            int read;
            while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                var keep = (int)Math.Min(read, limit - buffer.Length);
                buffer.Write(chunk, 0, keep);
            }

            return buffer.ToArray();
        }
    }
}
