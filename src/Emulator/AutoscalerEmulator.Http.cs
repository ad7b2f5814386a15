using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Vespa.Emulator;

/// <summary>The HTTP handlers. Routing treats a trailing slash as optional, so <c>/route</c> works like <c>/route/</c>.</summary>
public sealed partial class AutoscalerEmulator
{
    private void MapEndpoints(IEndpointRouteBuilder app)
    {
        app.MapGet("/pubkey/", HandlePublicKeyAsync);
        app.MapPost("/route/", HandleRouteAsync);
        app.MapPost("/worker_status/", HandleWorkerStatusAsync);
        app.MapPost("/delete_requests/", HandleDeleteRequestsAsync);
        app.MapGet("/api/v0/endptjobs/", HandleEndpointListAsync);
        app.MapGet("/api/v0/endptjobs/{id}/", HandleEndpointGetAsync);
        app.MapGet("/_emulator/reports", HandleReportsAsync);
        app.MapGet("/_emulator/faults", context => WriteFaultsAsync(context));
        app.MapPost("/_emulator/faults", HandleSetFaultsAsync);
        MapPage(app);
    }

    private async Task HandlePublicKeyAsync(HttpContext context)
    {
        if (await ApplyFaultAsync(context, EmulatorOperation.PubKey).ConfigureAwait(false))
        {
            return;
        }

        CountAccepted(EmulatorOperation.PubKey);
        var bytes = Encoding.ASCII.GetBytes(PublicKeyPem);
        context.Response.ContentType = "text/plain; charset=utf-8";
        context.Response.ContentLength = bytes.Length;
        await context.Response.Body.WriteAsync(bytes, context.RequestAborted).ConfigureAwait(false);
    }

    private async Task HandleWorkerStatusAsync(HttpContext context)
    {
        const EmulatorOperation Operation = EmulatorOperation.WorkerStatus;
        var body = await ReadBodyAsync(context, Operation).ConfigureAwait(false);
        if (body is null || await ApplyFaultAsync(context, Operation).ConfigureAwait(false))
        {
            return;
        }

        if (!WorkerStatusReport.TryParse(body, out var report, out var error))
        {
            await RejectAsync(context, Operation, StatusCodes.Status400BadRequest, error, body).ConfigureAwait(false);
            return;
        }

        report.ReceivedAt = _time.GetUtcNow();

        // Stamped, made visible to /route/ and counted under the log's lock, so that whoever waits for this report
        // sees all of it.
        IReadOnlyList<WorkerTransition> changes = [];
        _statusReports.Add(report, (r, sequence) =>
        {
            r.Sequence = sequence;
            changes = _workers.Record(r);
            CountAccepted(Operation);
        });
        foreach (var change in changes)
        {
            AddEvent(change.Kind, change.Worker, change.Message);
        }

        StatusReportReceived?.Invoke(this, report);
        await EmulatorJson.WriteOkAsync(context).ConfigureAwait(false);
    }

    private async Task HandleDeleteRequestsAsync(HttpContext context)
    {
        const EmulatorOperation Operation = EmulatorOperation.DeleteRequests;
        var body = await ReadBodyAsync(context, Operation).ConfigureAwait(false);
        if (body is null || await ApplyFaultAsync(context, Operation).ConfigureAwait(false))
        {
            return;
        }

        if (!DeleteRequestsReport.TryParse(body, out var report, out var error))
        {
            await RejectAsync(context, Operation, StatusCodes.Status400BadRequest, error, body).ConfigureAwait(false);
            return;
        }

        report.ReceivedAt = _time.GetUtcNow();
        _deleteReports.Add(report, (r, sequence) =>
        {
            r.Sequence = sequence;
            CountAccepted(Operation);
        });
        var worker = _workers.RecordDeletes(report);
        AddEvent(EmulatorEventKind.DeleteRecords, worker, DescribeDeletes(report, worker));
        DeleteReportReceived?.Invoke(this, report);
        await EmulatorJson.WriteOkAsync(context).ConfigureAwait(false);
    }

    private async Task HandleRouteAsync(HttpContext context)
    {
        const EmulatorOperation Operation = EmulatorOperation.Route;
        var body = await ReadBodyAsync(context, Operation).ConfigureAwait(false);
        if (body is null || await ApplyFaultAsync(context, Operation).ConfigureAwait(false))
        {
            return;
        }

        if (!RouteRequest.TryParse(body, out var request, out var error))
        {
            await RejectAsync(context, Operation, StatusCodes.Status400BadRequest, error, body).ConfigureAwait(false);
            return;
        }

        var endpoint = FindEndpoint(request.Endpoint);
        if (endpoint is null)
        {
            await RejectAsync(context, Operation, StatusCodes.Status404NotFound, $"endpoint '{request.Endpoint}' not found").ConfigureAwait(false);
            return;
        }

        if (_requireApiKeys)
        {
            var key = BearerToken(context) ?? NonEmpty(request.ApiKey) ?? NonEmpty(context.Request.Query["api_key"].ToString());
            if (key is null)
            {
                await RejectAsync(context, Operation, StatusCodes.Status401Unauthorized, "missing endpoint API key: send 'Authorization: Bearer <key>' or api_key").ConfigureAwait(false);
                return;
            }

            if (!KeyEquals(key, endpoint.ApiKey))
            {
                await RejectAsync(context, Operation, StatusCodes.Status401Unauthorized, $"invalid API key for endpoint '{endpoint.Name}'").ConfigureAwait(false);
                return;
            }
        }

        var result = RouteCore(endpoint, request.Cost, request.RequestIdx);
        CountAccepted(Operation);
        await EmulatorJson.WriteAsync(context, StatusCodes.Status200OK, result.WriteTo).ConfigureAwait(false);
    }

    private async Task HandleEndpointListAsync(HttpContext context)
    {
        if (await ApplyFaultAsync(context, EmulatorOperation.EndpointJobs).ConfigureAwait(false)
            || !await CheckAccountKeyAsync(context).ConfigureAwait(false))
        {
            return;
        }

        CountAccepted(EmulatorOperation.EndpointJobs);
        await EmulatorJson.WriteAsync(context, StatusCodes.Status200OK, writer =>
        {
            writer.WriteStartObject();
            writer.WriteStartArray("results");
            for (var i = 0; i < _endpoints.Count; i++)
            {
                WriteEndpointJob(writer, i);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }).ConfigureAwait(false);
    }

    private async Task HandleEndpointGetAsync(HttpContext context)
    {
        if (await ApplyFaultAsync(context, EmulatorOperation.EndpointJobs).ConfigureAwait(false)
            || !await CheckAccountKeyAsync(context).ConfigureAwait(false))
        {
            return;
        }

        var id = context.Request.RouteValues["id"]?.ToString();
        if (!int.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number < 1 || number > _endpoints.Count)
        {
            await RejectAsync(context, EmulatorOperation.EndpointJobs, StatusCodes.Status404NotFound, $"endpoint job '{id}' not found").ConfigureAwait(false);
            return;
        }

        CountAccepted(EmulatorOperation.EndpointJobs);
        await EmulatorJson.WriteAsync(context, StatusCodes.Status200OK, writer =>
        {
            writer.WriteStartObject();
            writer.WritePropertyName("result");
            WriteEndpointJob(writer, number - 1);
            writer.WriteEndObject();
        }).ConfigureAwait(false);
    }

    private Task HandleReportsAsync(HttpContext context)
    {
        var now = _time.GetUtcNow();
        var latest = _workers.Latest();
        var states = Workers.ToDictionary(w => w.Key, StringComparer.Ordinal);
        var eligible = _workers.Eligible();
        var registered = _workers.Registered;
        var lastDelete = _deleteReports.Snapshot() is { Count: > 0 } deletes ? deletes[^1] : null;
        return EmulatorJson.WriteAsync(context, StatusCodes.Status200OK, writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("base_url", BaseUrl.OriginalString);
            writer.WriteString("scheme", _scheme == Core.Signatures.SignatureScheme.Url ? "url" : "legacy");
            writer.WriteStartObject("counts");
            foreach (var operation in EmulatorOperationNames.All)
            {
                writer.WriteStartObject(EmulatorOperationNames.ToName(operation));
                writer.WriteNumber("accepted", GetAcceptedCount(operation));
                writer.WriteNumber("rejected", GetRejectedCount(operation));
                writer.WriteNumber("failed_attempts", Faults.GetFailedAttempts(operation));
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
            WriteStrings(writer, "registered_workers", registered);
            WriteStrings(writer, "eligible_workers", eligible);
            writer.WriteStartArray("workers");
            foreach (var report in latest)
            {
                writer.WriteStartObject();
                writer.WriteString("worker", report.WorkerKey);
                writer.WriteNumber("age_seconds", Math.Round((now - report.ReceivedAt).TotalSeconds, 3));
                if (states.TryGetValue(WorkerRegistry.KeyOf(report), out var state))
                {
                    EmulatorJson.WriteWorkerState(writer, state);
                }

                writer.WritePropertyName("report");
                EmulatorJson.WriteStatusReport(writer, report);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WritePropertyName("last_delete_requests");
            if (lastDelete is null)
            {
                writer.WriteNullValue();
            }
            else
            {
                EmulatorJson.WriteDeleteReport(writer, lastDelete);
            }

            writer.WriteEndObject();
        });
    }

    private async Task HandleSetFaultsAsync(HttpContext context)
    {
        string? body;
        try
        {
            using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
            body = await reader.ReadToEndAsync(context.RequestAborted).ConfigureAwait(false);
        }
        catch (BadHttpRequestException e)
        {
            await EmulatorJson.WriteErrorAsync(context, e.StatusCode, "unreadable request body").ConfigureAwait(false);
            return;
        }

        if (!FaultRequest.TryApply(body, Faults, out var error))
        {
            await EmulatorJson.WriteErrorAsync(context, StatusCodes.Status400BadRequest, error).ConfigureAwait(false);
            return;
        }

        await WriteFaultsAsync(context).ConfigureAwait(false);
    }

    private Task WriteFaultsAsync(HttpContext context) =>
        EmulatorJson.WriteAsync(context, StatusCodes.Status200OK, writer =>
        {
            writer.WriteStartObject();
            writer.WriteStartObject("faults");
            foreach (var operation in EmulatorOperationNames.All)
            {
                var fault = Faults.Get(operation);
                writer.WriteStartObject(EmulatorOperationNames.ToName(operation));
                writer.WriteNumber("remaining", fault is null ? 0 : fault.Count == int.MaxValue ? -1 : fault.Count);
                if (fault?.StatusCode is { } status)
                {
                    writer.WriteNumber("status", status);
                }
                else
                {
                    writer.WriteNull("status");
                }

                writer.WriteNumber("delay_seconds", fault?.Delay.TotalSeconds ?? 0);
                writer.WriteNumber("failed_attempts", Faults.GetFailedAttempts(operation));
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        });

    /// <summary>Reads the whole body; <c>null</c> when it was refused (too large, malformed), already answered.</summary>
    private async Task<string?> ReadBodyAsync(HttpContext context, EmulatorOperation operation)
    {
        try
        {
            using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
            return await reader.ReadToEndAsync(context.RequestAborted).ConfigureAwait(false);
        }
        catch (BadHttpRequestException e)
        {
            await RejectAsync(context, operation, e.StatusCode, "request body refused: " + e.Message).ConfigureAwait(false);
            return null;
        }
    }

    /// <summary>
    /// Applies the operation's fault, if one is set: holds the request for the fault's delay, then answers it with the
    /// fault's status. Returns <c>true</c> when the request is finished (answered by the fault, or abandoned by its
    /// client during the delay); <c>false</c> to handle it normally.
    /// </summary>
    private async Task<bool> ApplyFaultAsync(HttpContext context, EmulatorOperation operation)
    {
        if (Faults.TryTake(operation) is not { } fault)
        {
            return false;
        }

        var aborted = context.RequestAborted;
        if (fault.Delay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(fault.Delay, _time, aborted).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (aborted.IsCancellationRequested)
            {
                Faults.RecordFailedAttempt(operation);
                return true;
            }
        }

        if (fault.StatusCode is { } status)
        {
            Faults.RecordFailedAttempt(operation);
            AddEvent(EmulatorEventKind.Fault, null, string.Create(CultureInfo.InvariantCulture,
                $"injected fault: {EmulatorOperationNames.ToName(operation)} answered {status}{(fault.Delay > TimeSpan.Zero ? $" after {fault.Delay.TotalSeconds:0.###} s" : "")}"));
            await EmulatorJson.WriteErrorAsync(context, status, $"injected fault: {EmulatorOperationNames.ToName(operation)} answers {status}").ConfigureAwait(false);
            return true;
        }

        if (aborted.IsCancellationRequested)
        {
            Faults.RecordFailedAttempt(operation);
            return true;
        }

        AddEvent(EmulatorEventKind.Fault, null, string.Create(CultureInfo.InvariantCulture,
            $"injected fault: {EmulatorOperationNames.ToName(operation)} delayed {fault.Delay.TotalSeconds:0.###} s"));
        return false;
    }

    private async Task<bool> CheckAccountKeyAsync(HttpContext context)
    {
        var key = BearerToken(context) ?? NonEmpty(context.Request.Query["api_key"].ToString());
        if (key is null)
        {
            await RejectAsync(context, EmulatorOperation.EndpointJobs, StatusCodes.Status401Unauthorized, "missing account key: send 'Authorization: Bearer <account key>'").ConfigureAwait(false);
            return false;
        }

        if (!KeyEquals(key, _accountKey))
        {
            await RejectAsync(context, EmulatorOperation.EndpointJobs, StatusCodes.Status401Unauthorized, "invalid account key").ConfigureAwait(false);
            return false;
        }

        return true;
    }

    private Task RejectAsync(HttpContext context, EmulatorOperation operation, int statusCode, string message, string? body = null)
    {
        CountRejected(operation);
        var name = EmulatorOperationNames.ToName(operation);
        var shown = body is null ? "" : " in " + Excerpt(body);
        switch (operation)
        {
            case EmulatorOperation.Route:
                AddEvent(EmulatorEventKind.RouteRefused, null, string.Create(CultureInfo.InvariantCulture, $"route refused ({statusCode}): {message}{shown}"));
                break;
            case EmulatorOperation.WorkerStatus or EmulatorOperation.DeleteRequests:
                AddEvent(EmulatorEventKind.ReportRejected, null, string.Create(CultureInfo.InvariantCulture, $"{name} refused ({statusCode}): {message}{shown}"));
                break;
            default:
                // Key and listing refusals are the client's business, not the workers'; they show in the counts.
                break;
        }

        return EmulatorJson.WriteErrorAsync(context, statusCode, message);
    }

    /// <summary>The start of a refused body, on one line, for the event log.</summary>
    private static string Excerpt(string body)
    {
        const int Max = 120;
        var line = body.ReplaceLineEndings(" ").Trim();
        return line.Length == 0 ? "an empty body" : "'" + (line.Length > Max ? line[..Max] + "…" : line) + "'";
    }

    private static string DescribeDeletes(DeleteRequestsReport report, string? worker)
    {
        var from = worker ?? (report.WorkerId is { } id ? "worker_id " + id.ToString(CultureInfo.InvariantCulture) : "an unknown worker");
        var records = string.Join(", ", report.Requests.Select(r =>
            r.RequestIdx.ToString(CultureInfo.InvariantCulture) + " " + (r.Status is { Length: > 0 } status ? status : r.Success ? "ok" : "failed")));
        return $"delete_requests from {from}: {(records.Length == 0 ? "no records" : records)}";
    }

    private void WriteEndpointJob(Utf8JsonWriter writer, int index)
    {
        var endpoint = _endpoints[index];
        writer.WriteStartObject();
        writer.WriteNumber("id", index + 1);
        writer.WriteString("endpoint_name", endpoint.Name);
        writer.WriteString("api_key", endpoint.ApiKey);
        writer.WriteNumber("user_id", 1);
        writer.WriteNumber("created_at", _startedAt.ToUnixTimeMilliseconds() / 1000.0);
        writer.WriteString("endpoint_state", "active");
        writer.WriteNumber("cold_workers", 0);
        writer.WriteNumber("max_workers", 16);
        writer.WriteNumber("min_load", 0.0);
        writer.WriteNumber("target_util", 0.9);
        writer.WriteNumber("cold_mult", 2.5);
        writer.WriteEndObject();
    }

    private static void WriteStrings(Utf8JsonWriter writer, string name, IEnumerable<string> values)
    {
        writer.WriteStartArray(name);
        foreach (var value in values)
        {
            writer.WriteStringValue(value);
        }

        writer.WriteEndArray();
    }

    /// <summary>The token of <c>Authorization: Bearer &lt;token&gt;</c> (a bare token is accepted too, as the vast.ai
    /// worker does for its master token); <c>null</c> when absent or empty.</summary>
    private static string? BearerToken(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString().Trim();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            header = header["Bearer ".Length..].Trim();
        }
        else if (header.Equals("Bearer", StringComparison.OrdinalIgnoreCase))
        {
            header = "";
        }

        return NonEmpty(header);
    }

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static bool KeyEquals(string given, string expected) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(expected));
}
