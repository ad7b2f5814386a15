using System.Buffers;
using System.Collections;
using System.Globalization;
using System.Text.Json;

namespace Vespa.Worker.Reporting;

/// <summary>
/// The in-process error beacon (vast-protocol.md §3.6): when the worker cannot launch (invalid
/// configuration, TLS files, a taken port), it posts a full <c>/worker_status/</c> with the error to
/// every <c>REPORT_ADDR</c>, every 10 s until stopped, instead of vanishing. start_server.sh has
/// exec'd the worker by then, so nobody else could tell the autoscaler. It reads the raw
/// environment: the options themselves may be what is broken.
/// </summary>
internal static class LaunchFailureBeacon
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    public static async Task RunAsync(string error, CancellationToken cancellationToken)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            environment[(string)entry.Key] = entry.Value as string ?? "";
        }

        var addresses = Addresses(environment);
        if (addresses.Count == 0)
        {
            return;
        }

        var body = Body(environment, "vespa-worker failed to launch: " + error);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        while (!cancellationToken.IsCancellationRequested)
        {
            foreach (var address in addresses)
            {
                try
                {
                    using var content = new ByteArrayContent(body);
                    content.Headers.ContentType = new("application/json");
                    using var _ = await http.PostAsync(new Uri(address + "/worker_status/"), content, cancellationToken);
                }
                catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or UriFormatException)
                {
                    // Best effort: the next round tries again.
                }
            }

            try
            {
                await Task.Delay(Interval, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public static List<string> Addresses(IReadOnlyDictionary<string, string> environment) =>
        environment.TryGetValue("REPORT_ADDR", out var value)
            ? [.. value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(a => a.TrimEnd('/'))]
            : [];

    public static byte[] Body(IReadOnlyDictionary<string, string> environment, string error)
    {
        string Get(string name) => environment.TryGetValue(name, out var v) ? v : "";
        var port = Get("VESPA_WORKER_PORT") is { Length: > 0 } p ? p : Get("WORKER_PORT") is { Length: > 0 } w ? w : "3000";
        var ssl = (Get("VESPA_USE_SSL") + Get("USE_SSL")).Contains("true", StringComparison.OrdinalIgnoreCase);
        var url = Get("PUBLIC_IPADDR") is { Length: > 0 } ip && Get("VAST_TCP_PORT_" + port) is { Length: > 0 } external
            ? $"{(ssl ? "https" : "http")}://{ip}:{external}"
            : "";

        var buffer = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("id", long.TryParse(Get("CONTAINER_ID"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var id) ? id : 0);
            json.WriteString("mtoken", Get("MASTER_TOKEN"));
            json.WriteString("version", WorkerStatusReporter.ProtocolVersion);
            foreach (var field in new[] { "loadtime", "cur_load", "rej_load", "new_load" })
            {
                json.WriteNumber(field, 0);
            }

            json.WriteString("error_msg", error);
            foreach (var field in new[] { "max_perf", "cur_perf", "cur_capacity", "max_capacity", "num_requests_working", "num_requests_recieved", "additional_disk_usage" })
            {
                json.WriteNumber(field, 0);
            }

            json.WriteStartArray("working_request_idxs");
            json.WriteEndArray();
            json.WriteString("url", url);
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
