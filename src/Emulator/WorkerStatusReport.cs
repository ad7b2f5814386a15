using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;

namespace Vespa.Emulator;

/// <summary>
/// One <c>POST /worker_status/</c> body as the emulator accepted it (vast-protocol.md §4.1), parsed, with when it
/// arrived. Absent or <c>null</c> fields read as 0, <c>""</c> or empty; <see cref="Fields"/> tells which keys were
/// actually sent.
/// </summary>
public sealed class WorkerStatusReport
{
    /// <summary>The wire name of the received-requests counter; the misspelling is vast.ai's and is kept.</summary>
    public const string NumRequestsReceivedField = "num_requests_recieved";

    /// <summary>Every field the SDK worker sends, in its order.</summary>
    public static IReadOnlyList<string> SdkFields { get; } =
    [
        "id", "mtoken", "version", "loadtime", "cur_load", "rej_load", "new_load", "error_msg", "max_perf", "cur_perf",
        "cur_capacity", "max_capacity", "num_requests_working", NumRequestsReceivedField, "additional_disk_usage",
        "working_request_idxs", "url",
    ];

    private WorkerStatusReport(string json)
    {
        Json = json;
    }

    /// <summary>1, 2, 3… in order of acceptance by one emulator; 0 for a report parsed with <see cref="Parse"/>.</summary>
    public long Sequence { get; internal set; }

    /// <summary>When the emulator accepted it (the emulator's <see cref="TimeProvider"/>).</summary>
    public DateTimeOffset ReceivedAt { get; internal set; }

    /// <summary>The body exactly as received.</summary>
    public string Json { get; }

    /// <summary>The keys present in the body, in arrival order (duplicates once).</summary>
    public IReadOnlyList<string> Fields { get; private set; } = [];

    /// <summary>The <see cref="SdkFields"/> the body lacks.</summary>
    public IReadOnlyList<string> MissingFields => [.. SdkFields.Except(Fields, StringComparer.Ordinal)];

    /// <summary><c>id</c>: the worker's <c>CONTAINER_ID</c>.</summary>
    public long? Id { get; private set; }

    /// <summary><c>mtoken</c>: the worker's <c>MASTER_TOKEN</c>.</summary>
    public string? MToken { get; private set; }

    /// <summary><c>version</c>.</summary>
    public string? Version { get; private set; }

    /// <summary><c>loadtime</c>: 0 while loading, then the model loading time in seconds.</summary>
    public double LoadTime { get; private set; }

    /// <summary><c>cur_load</c>: workload of the requests in flight, queued or in open sessions.</summary>
    public double CurLoad { get; private set; }

    /// <summary><c>rej_load</c>: workload rejected since the previous report.</summary>
    public double RejLoad { get; private set; }

    /// <summary><c>new_load</c>: workload received (minus cancelled) since the previous report.</summary>
    public double NewLoad { get; private set; }

    /// <summary><c>error_msg</c>: <c>""</c> or the worker's last error.</summary>
    public string ErrorMsg { get; private set; } = "";

    /// <summary><c>max_perf</c>: the benchmarked throughput.</summary>
    public double MaxPerf { get; private set; }

    /// <summary><c>cur_perf</c>: workload served since the previous report.</summary>
    public double CurPerf { get; private set; }

    /// <summary><c>cur_capacity</c> (always 0 in the SDK).</summary>
    public long CurCapacity { get; private set; }

    /// <summary><c>max_capacity</c> (always 0 in the SDK).</summary>
    public long MaxCapacity { get; private set; }

    /// <summary><c>num_requests_working</c>.</summary>
    public long NumRequestsWorking { get; private set; }

    /// <summary><c>num_requests_recieved</c> (sic): distinct reqnums started or rejected since the worker started.</summary>
    public long NumRequestsReceived { get; private set; }

    /// <summary><c>additional_disk_usage</c>: GB used since the previous report.</summary>
    public double AdditionalDiskUsage { get; private set; }

    /// <summary><c>working_request_idxs</c>.</summary>
    public IReadOnlyList<long> WorkingRequestIdxs { get; private set; } = [];

    /// <summary><c>url</c>: the worker's public base URL.</summary>
    public string Url { get; private set; } = "";

    /// <summary>Whether this report makes its worker eligible for <c>/route/</c>: a non-empty url, a load time above
    /// 0 and no error.</summary>
    public bool IsReady => Url.Length > 0 && LoadTime > 0 && ErrorMsg.Length == 0;

    /// <summary>Parses a <c>/worker_status/</c> body.</summary>
    /// <exception cref="FormatException">Not a JSON object, or a field of the wrong type.</exception>
    public static WorkerStatusReport Parse(string json) =>
        TryParse(json, out var report, out var error) ? report : throw new FormatException(error);

    /// <summary>Parses a <c>/worker_status/</c> body; on failure <paramref name="error"/> says what is wrong.</summary>
    public static bool TryParse(string json, [NotNullWhen(true)] out WorkerStatusReport? report, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(json);
        report = null;
        if (!ReportFieldReader.TryParseObject(json, out var document, out error))
        {
            return false;
        }

        using (document)
        {
            var parsed = new WorkerStatusReport(json);
            var fields = new List<string>();
            foreach (var property in document!.RootElement.EnumerateObject())
            {
                if (!fields.Contains(property.Name))
                {
                    fields.Add(property.Name);
                }

                if (!parsed.TryRead(property.Name, property.Value, out error))
                {
                    return false;
                }
            }

            parsed.Fields = fields;
            report = parsed;
            error = null;
            return true;
        }
    }

    /// <summary>The worker this report is about, for "latest report per worker": its url, or its id when it sends no url.</summary>
    public string WorkerKey => Url.Length > 0 ? Url : Id is { } id ? "id:" + id.ToString(CultureInfo.InvariantCulture) : "(unknown)";

    public override string ToString() => $"worker_status #{Sequence} {WorkerKey} loadtime={LoadTime} cur_load={CurLoad} error_msg='{ErrorMsg}'";

    private bool TryRead(string name, JsonElement value, [NotNullWhen(false)] out string? error)
    {
        double number = 0;
        long integer = 0;
        string? text = null;
        IReadOnlyList<long> idxs = [];
        switch (name)
        {
            case "id":
                if (!ReportFieldReader.TryReadInteger(value, name, ref integer, out error))
                {
                    return false;
                }

                Id = value.ValueKind == JsonValueKind.Null ? null : integer;
                return true;
            case "mtoken" or "version" or "error_msg" or "url":
                if (!ReportFieldReader.TryReadString(value, name, ref text, out error))
                {
                    return false;
                }

                SetString(name, text);
                return true;
            case "working_request_idxs":
                if (!ReportFieldReader.TryReadIntegerList(value, name, ref idxs, out error))
                {
                    return false;
                }

                WorkingRequestIdxs = idxs;
                return true;
            case "loadtime" or "cur_load" or "rej_load" or "new_load" or "max_perf" or "cur_perf" or "additional_disk_usage":
                if (!ReportFieldReader.TryReadNumber(value, name, ref number, out error))
                {
                    return false;
                }

                SetNumber(name, number);
                return true;
            case "cur_capacity" or "max_capacity" or "num_requests_working" or NumRequestsReceivedField:
                if (!ReportFieldReader.TryReadInteger(value, name, ref integer, out error))
                {
                    return false;
                }

                SetInteger(name, integer);
                return true;
            default:
                // Extra fields are tolerated, as the autoscaler's JSON parsing does.
                error = null;
                return true;
        }
    }

    private void SetString(string name, string? value)
    {
        switch (name)
        {
            case "mtoken": MToken = value; break;
            case "version": Version = value; break;
            case "error_msg": ErrorMsg = value ?? ""; break;
            default: Url = value ?? ""; break;
        }
    }

    private void SetNumber(string name, double value)
    {
        switch (name)
        {
            case "loadtime": LoadTime = value; break;
            case "cur_load": CurLoad = value; break;
            case "rej_load": RejLoad = value; break;
            case "new_load": NewLoad = value; break;
            case "max_perf": MaxPerf = value; break;
            case "cur_perf": CurPerf = value; break;
            default: AdditionalDiskUsage = value; break;
        }
    }

    private void SetInteger(string name, long value)
    {
        switch (name)
        {
            case "cur_capacity": CurCapacity = value; break;
            case "max_capacity": MaxCapacity = value; break;
            case "num_requests_working": NumRequestsWorking = value; break;
            default: NumRequestsReceived = value; break;
        }
    }
}
