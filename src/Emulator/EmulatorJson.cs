using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Vespa.Emulator;

/// <summary>Writes the emulator's JSON answers with <see cref="Utf8JsonWriter"/> (no reflection).</summary>
internal static class EmulatorJson
{
    // Answers are application/json, never HTML, so only what JSON requires is escaped: a signature's '+' stays '+'.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static async Task WriteAsync(HttpContext context, int statusCode, Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            write(writer);
        }

        var response = context.Response;
        response.StatusCode = statusCode;
        response.ContentType = "application/json";
        response.ContentLength = buffer.WrittenCount;
        await response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted).ConfigureAwait(false);
    }

    public static Task WriteErrorAsync(HttpContext context, int statusCode, string message) =>
        WriteAsync(context, statusCode, writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("error", message);
            writer.WriteEndObject();
        });

    public static Task WriteOkAsync(HttpContext context) =>
        WriteAsync(context, StatusCodes.Status200OK, writer =>
        {
            writer.WriteStartObject();
            writer.WriteBoolean("ok", true);
            writer.WriteEndObject();
        });

    /// <summary>A status report's fields under their wire names. The master token is never echoed: the report
    /// listing is open to anyone who can reach the emulator.</summary>
    public static void WriteStatusReport(Utf8JsonWriter writer, WorkerStatusReport report)
    {
        writer.WriteStartObject();
        writer.WriteNumber("sequence", report.Sequence);
        writer.WriteString("received_at", report.ReceivedAt.ToString("O", CultureInfo.InvariantCulture));
        if (report.Id is { } id)
        {
            writer.WriteNumber("id", id);
        }
        else
        {
            writer.WriteNull("id");
        }

        writer.WriteBoolean("mtoken_present", !string.IsNullOrEmpty(report.MToken));
        writer.WriteString("version", report.Version);
        writer.WriteNumber("loadtime", report.LoadTime);
        writer.WriteNumber("cur_load", report.CurLoad);
        writer.WriteNumber("rej_load", report.RejLoad);
        writer.WriteNumber("new_load", report.NewLoad);
        writer.WriteString("error_msg", report.ErrorMsg);
        writer.WriteNumber("max_perf", report.MaxPerf);
        writer.WriteNumber("cur_perf", report.CurPerf);
        writer.WriteNumber("cur_capacity", report.CurCapacity);
        writer.WriteNumber("max_capacity", report.MaxCapacity);
        writer.WriteNumber("num_requests_working", report.NumRequestsWorking);
        writer.WriteNumber(WorkerStatusReport.NumRequestsReceivedField, report.NumRequestsReceived);
        writer.WriteNumber("additional_disk_usage", report.AdditionalDiskUsage);
        writer.WriteStartArray("working_request_idxs");
        foreach (var idx in report.WorkingRequestIdxs)
        {
            writer.WriteNumberValue(idx);
        }

        writer.WriteEndArray();
        writer.WriteString("url", report.Url);
        writer.WriteStartArray("missing_fields");
        foreach (var field in report.MissingFields)
        {
            writer.WriteStringValue(field);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>A worker's standing as properties of the current object: state, eligibility, stale limit, totals.</summary>
    public static void WriteWorkerState(Utf8JsonWriter writer, EmulatedWorker worker)
    {
        writer.WriteString("state", worker.State.ToString().ToLowerInvariant());
        writer.WriteBoolean("eligible", worker.Eligible);
        writer.WriteBoolean("registered", worker.Registered);
        writer.WriteNumber("expected_interval_seconds", Math.Round(worker.ExpectedInterval.TotalSeconds, 3));
        writer.WriteNumber("stale_after_seconds", Math.Round(worker.StaleAfter.TotalSeconds, 3));
        writer.WriteStartObject("totals");
        writer.WriteNumber("reports", worker.Totals.Reports);
        writer.WriteNumber("routes", worker.Totals.Routes);
        writer.WriteNumber("new_load", worker.Totals.NewLoad);
        writer.WriteNumber("rej_load", worker.Totals.RejLoad);
        writer.WriteNumber("cur_perf", worker.Totals.CurPerf);
        writer.WriteNumber("deleted_ok", worker.Totals.DeletedOk);
        writer.WriteNumber("deleted_failed", worker.Totals.DeletedFailed);
        writer.WriteEndObject();
    }

    public static void WriteDeleteReport(Utf8JsonWriter writer, DeleteRequestsReport report)
    {
        writer.WriteStartObject();
        writer.WriteNumber("sequence", report.Sequence);
        writer.WriteString("received_at", report.ReceivedAt.ToString("O", CultureInfo.InvariantCulture));
        if (report.WorkerId is { } id)
        {
            writer.WriteNumber("worker_id", id);
        }
        else
        {
            writer.WriteNull("worker_id");
        }

        writer.WriteString("shape", report.Shape == DeleteRequestsShape.RequestIdxs ? "request_idxs" : "requests");
        writer.WriteStartArray("requests");
        foreach (var request in report.Requests)
        {
            writer.WriteStartObject();
            writer.WriteNumber("request_idx", request.RequestIdx);
            writer.WriteBoolean("success", request.Success);
            writer.WriteString("status", request.Status);
            writer.WriteNumber("entered_queue_at", request.EnteredQueueAt);
            writer.WriteNumber("work_started_at", request.WorkStartedAt);
            writer.WriteNumber("work_completed_at", request.WorkCompletedAt);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }
}
