using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Vespa.Emulator.Page;

namespace Vespa.Emulator;

/// <summary>
/// The live page: <c>GET /</c> serves one self-contained HTML file (embedded in the assembly: inline style and
/// script, SVG charts, no external resource, so it works offline), with the current state inlined so it shows at
/// once; it then polls <c>GET /_emulator/state?since=N</c> every second for the state and the events after N.
/// </summary>
public sealed partial class AutoscalerEmulator
{
    /// <summary>The most chart points kept per worker (five minutes of reports at one a second).</summary>
    public const int MaxSeriesPoints = 300;

    /// <summary>The most events one state answer carries (the newest).</summary>
    public const int MaxStateEvents = 200;

    private const int RecentStatusReports = 10;
    private const int RecentDeleteReports = 20;

    private void MapPage(IEndpointRouteBuilder app)
    {
        app.MapGet("/", HandlePageAsync);
        app.MapGet("/_emulator/state", HandleStateAsync);
    }

    private async Task HandlePageAsync(HttpContext context)
    {
        // The state goes inline with the default encoder, which escapes '<', '>' and '&': worker-supplied text
        // (error_msg, urls) cannot close the script element.
        var state = new ArrayBufferWriter<byte>(4096);
        using (var writer = new Utf8JsonWriter(state))
        {
            WriteState(writer, since: 0);
        }

        var html = PageTemplate.Render(Encoding.UTF8.GetString(state.WrittenSpan));
        var bytes = Encoding.UTF8.GetBytes(html);
        var response = context.Response;
        response.ContentType = "text/html; charset=utf-8";
        response.ContentLength = bytes.Length;
        response.Headers.CacheControl = "no-store";
        response.Headers.XContentTypeOptions = "nosniff";
        // Nothing may load from elsewhere: the page is one file and polls this emulator only.
        response.Headers.ContentSecurityPolicy = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
        await response.Body.WriteAsync(bytes, context.RequestAborted).ConfigureAwait(false);
    }

    private Task HandleStateAsync(HttpContext context)
    {
        var sinceText = context.Request.Query["since"].ToString();
        long since = 0;
        if (sinceText.Length > 0 && (!long.TryParse(sinceText, NumberStyles.None, CultureInfo.InvariantCulture, out since)))
        {
            return EmulatorJson.WriteErrorAsync(context, StatusCodes.Status400BadRequest, $"'since' must be an event sequence number (an integer >= 0), not '{sinceText}'");
        }

        context.Response.Headers.CacheControl = "no-store";
        return EmulatorJson.WriteAsync(context, StatusCodes.Status200OK, writer => WriteState(writer, since));
    }

    /// <summary>Everything the page shows: workers with their state, totals, latest report and chart series; the
    /// latest reports and delete records; the events after <paramref name="since"/>.</summary>
    private void WriteState(Utf8JsonWriter writer, long since)
    {
        var now = _time.GetUtcNow();
        var workers = Workers;
        var reports = _statusReports.Snapshot();
        var deletes = _deleteReports.Snapshot();
        var events = _events.Snapshot();
        var series = new Dictionary<string, List<WorkerStatusReport>>(StringComparer.Ordinal);
        for (var i = reports.Count - 1; i >= 0; i--)
        {
            var key = WorkerRegistry.KeyOf(reports[i]);
            if (!series.TryGetValue(key, out var points))
            {
                series[key] = points = [];
            }

            if (points.Count < MaxSeriesPoints)
            {
                points.Add(reports[i]);
            }
        }

        writer.WriteStartObject();
        writer.WriteString("base_url", BaseUrl.OriginalString);
        writer.WriteString("scheme", _scheme == Core.Signatures.SignatureScheme.Url ? "url" : "legacy");
        writer.WriteString("now", now.ToString("O", CultureInfo.InvariantCulture));
        writer.WriteNumber("now_ms", now.ToUnixTimeMilliseconds());
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
        writer.WriteStartArray("endpoints");
        foreach (var endpoint in _endpoints)
        {
            writer.WriteStringValue(endpoint.Name);
        }

        writer.WriteEndArray();
        writer.WriteStartArray("workers");
        foreach (var worker in workers)
        {
            writer.WriteStartObject();
            writer.WriteString("worker", worker.Key);
            EmulatorJson.WriteWorkerState(writer, worker);
            if (worker.SilentFor is { } silent)
            {
                writer.WriteNumber("age_seconds", Math.Round(silent.TotalSeconds, 3));
            }
            else
            {
                writer.WriteNull("age_seconds");
            }

            writer.WritePropertyName("report");
            if (worker.LastReport is { } report)
            {
                EmulatorJson.WriteStatusReport(writer, report);
            }
            else
            {
                writer.WriteNullValue();
            }

            // [time ms, cur_load, cur_perf, rej_load, new_load], oldest first.
            writer.WriteStartArray("series");
            if (series.TryGetValue(worker.Key, out var points))
            {
                for (var i = points.Count - 1; i >= 0; i--)
                {
                    var point = points[i];
                    writer.WriteStartArray();
                    writer.WriteNumberValue(point.ReceivedAt.ToUnixTimeMilliseconds());
                    writer.WriteNumberValue(point.CurLoad);
                    writer.WriteNumberValue(point.CurPerf);
                    writer.WriteNumberValue(point.RejLoad);
                    writer.WriteNumberValue(point.NewLoad);
                    writer.WriteEndArray();
                }
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteStartArray("reports");
        for (var i = reports.Count - 1; i >= Math.Max(0, reports.Count - RecentStatusReports); i--)
        {
            writer.WriteStartObject();
            writer.WriteString("worker", WorkerRegistry.KeyOf(reports[i]));
            writer.WritePropertyName("report");
            EmulatorJson.WriteStatusReport(writer, reports[i]);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteStartArray("deletes");
        for (var i = deletes.Count - 1; i >= Math.Max(0, deletes.Count - RecentDeleteReports); i--)
        {
            EmulatorJson.WriteDeleteReport(writer, deletes[i]);
        }

        writer.WriteEndArray();
        writer.WriteNumber("event_count", _events.TotalCount);
        writer.WriteStartArray("events");
        var start = Math.Max(0, events.Count - MaxStateEvents);
        for (var i = start; i < events.Count; i++)
        {
            var e = events[i];
            if (e.Sequence <= since)
            {
                continue;
            }

            writer.WriteStartObject();
            writer.WriteNumber("sequence", e.Sequence);
            writer.WriteString("time", e.Time.ToString("O", CultureInfo.InvariantCulture));
            writer.WriteString("kind", EventKindName(e.Kind));
            if (e.Worker is null)
            {
                writer.WriteNull("worker");
            }
            else
            {
                writer.WriteString("worker", e.Worker);
            }

            writer.WriteString("message", e.Message);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>The JSON name of an event kind: <c>route_given</c>, <c>worker_stale</c>, …</summary>
    public static string EventKindName(EmulatorEventKind kind)
    {
        var name = kind.ToString();
        var snake = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (i > 0 && char.IsUpper(name[i]))
            {
                snake.Append('_');
            }

            snake.Append(char.ToLowerInvariant(name[i]));
        }

        return snake.ToString();
    }
}
