using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Vespa.Worker.Options;

namespace Vespa.Worker.Reporting;

/// <summary>
/// The in-process error beacon (vast-protocol.md §3.6): when the worker cannot launch (invalid
/// configuration, TLS files, a taken port), everything it had started is stopped and this posts a
/// full <c>/worker_status/</c> with the error every <see cref="Interval"/> until the process is
/// stopped, instead of vanishing. start_server.sh has exec'd the worker by then, so nobody else
/// could tell the autoscaler. Each round fails over between the <c>REPORT_ADDR</c>s in order and
/// stops at the first that accepts (as the reporter does). It reads the raw environment, since
/// the options themselves may be what is broken, but with the worker's own rules for the port,
/// <c>USE_SSL</c> and the default address, so its <c>url</c> is the one the worker would report.
/// </summary>
internal static class LaunchFailureBeacon
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    /// <summary>Per post; a beacon must not hang on one address.</summary>
    public static readonly TimeSpan PostTimeout = TimeSpan.FromSeconds(10);

    /// <param name="environment">The process environment.</param>
    /// <param name="error">What failed.</param>
    /// <param name="handler">The HTTP handler (tests); <c>null</c> for a plain one.</param>
    /// <param name="time">The clock of the pauses between rounds.</param>
    /// <param name="cancellationToken">Stops the beacon (SIGTERM).</param>
    public static async Task RunAsync(IReadOnlyDictionary<string, string> environment, string error, HttpMessageHandler? handler, TimeProvider time, CancellationToken cancellationToken)
    {
        var addresses = Addresses(environment);
        if (addresses.Count == 0)
        {
            return;
        }

        var body = Body(environment, "vespa-worker failed to launch: " + error);
        using var http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        http.Timeout = PostTimeout;
        while (!cancellationToken.IsCancellationRequested)
        {
            await PostRoundAsync(http, addresses, body, cancellationToken);
            try
            {
                await Task.Delay(Interval, time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One round: the addresses in order until one answers 2xx; the address that took it, or <c>null</c>.</summary>
    public static async Task<string?> PostRoundAsync(HttpClient http, IReadOnlyList<string> addresses, byte[] body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(addresses);
        foreach (var address in addresses)
        {
            try
            {
                using var content = new ByteArrayContent(body);
                content.Headers.ContentType = new("application/json");
                using var response = await http.PostAsync(new Uri(address + "/worker_status/"), content, cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return address;
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return null;
            }
            catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or UriFormatException)
            {
                // Best effort: the next address, and the next round, try again.
            }
        }

        return null;
    }

    /// <summary><c>REPORT_ADDR</c> in order, or vast.ai's default on vast.ai (as the worker and start_server.sh).</summary>
    public static List<string> Addresses(IReadOnlyDictionary<string, string> environment)
    {
        var env = new EnvironmentReader(environment);
        if (env.Find("REPORT_ADDR") is var (_, value))
        {
            return [.. value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(a => a.TrimEnd('/'))];
        }

        return WorkerOptionsLoader.IsOnVast(env) ? [WorkerOptionsLoader.DefaultReportAddress] : [];
    }

    /// <summary>
    /// The full <c>/worker_status/</c> body with every number 0, written with the SDK's types: the float fields as
    /// <c>0.0</c>, the integer ones (and the capacities, which the SDK sends as the literal 0) as <c>0</c>.
    /// </summary>
    public static byte[] Body(IReadOnlyDictionary<string, string> environment, string error)
    {
        var env = new EnvironmentReader(environment);
        string Get(string name) => environment.TryGetValue(name, out var v) ? v : "";

        // The worker's own rules: an invalid port or USE_SSL value (perhaps the very error reported) gives no URL / http.
        var port = WorkerOptionsLoader.ReadWorkerPort(env) ?? (env.Find(EnvironmentReader.Names("WORKER_PORT", "WORKER_PORT")) is null ? 3000 : null);
        var useSsl = WorkerOptionsLoader.ReadUseSsl(env) ?? false;
        int? publicPort = port is { } p && env.Find(PublicAddress.PortVariable(p)) is var (_, external)
            && int.TryParse(external, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) && parsed is > 0 and <= 65535
            ? parsed
            : null;
        var url = PublicAddress.Format(useSsl, env.Find("PUBLIC_IPADDR")?.Value, publicPort);

        var buffer = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("id", long.TryParse(Get("CONTAINER_ID"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var id) ? id : 0);
            json.WriteString("mtoken", Get("MASTER_TOKEN"));
            json.WriteString("version", WorkerStatusReporter.ProtocolVersion);
            foreach (var field in new[] { "loadtime", "cur_load", "rej_load", "new_load" })
            {
                AutoscalerJson.WriteFloat(json, field, 0.0);
            }

            json.WriteString("error_msg", error);
            AutoscalerJson.WriteFloat(json, "max_perf", 0.0);
            AutoscalerJson.WriteFloat(json, "cur_perf", 0.0);
            foreach (var field in new[] { "cur_capacity", "max_capacity", "num_requests_working", "num_requests_recieved" })
            {
                json.WriteNumber(field, 0);
            }

            AutoscalerJson.WriteFloat(json, "additional_disk_usage", 0.0);
            json.WriteStartArray("working_request_idxs");
            json.WriteEndArray();
            json.WriteString("url", url);
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
