using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace Vespa.Emulator;

/// <summary>
/// One <c>POST /delete_requests/</c> body as the emulator accepted it (vast-protocol.md §4.2), in either shape,
/// parsed, with when it arrived.
/// </summary>
public sealed class DeleteRequestsReport
{
    private DeleteRequestsReport(string json)
    {
        Json = json;
    }

    /// <summary>1, 2, 3… in order of acceptance by one emulator; 0 for a report parsed with <see cref="Parse"/>.</summary>
    public long Sequence { get; internal set; }

    /// <summary>When the emulator accepted it (the emulator's <see cref="TimeProvider"/>).</summary>
    public DateTimeOffset ReceivedAt { get; internal set; }

    /// <summary>The body exactly as received.</summary>
    public string Json { get; }

    /// <summary>Which shape the body has.</summary>
    public DeleteRequestsShape Shape { get; private set; }

    /// <summary><c>worker_id</c>: the worker's <c>CONTAINER_ID</c>.</summary>
    public long? WorkerId { get; private set; }

    /// <summary><c>mtoken</c>: the worker's <c>MASTER_TOKEN</c>.</summary>
    public string? MToken { get; private set; }

    /// <summary>Shape A's body-wide <c>success</c>; <c>null</c> in shape B.</summary>
    public bool? Success { get; private set; }

    /// <summary>The finished requests, in body order.</summary>
    public IReadOnlyList<DeletedRequest> Requests { get; private set; } = [];

    /// <summary>The <c>request_idx</c> of every entry, in body order.</summary>
    public IReadOnlyList<long> RequestIdxs => [.. Requests.Select(r => r.RequestIdx)];

    /// <summary>Parses a <c>/delete_requests/</c> body.</summary>
    /// <exception cref="FormatException">Not a JSON object in either shape, or a field of the wrong type.</exception>
    public static DeleteRequestsReport Parse(string json) =>
        TryParse(json, out var report, out var error) ? report : throw new FormatException(error);

    /// <summary>Parses a <c>/delete_requests/</c> body (any key order, extra keys allowed); on failure
    /// <paramref name="error"/> says what is wrong. A body must have exactly one of <c>request_idxs</c> (shape A, which
    /// also needs <c>success</c>) and <c>requests</c> (shape B).</summary>
    public static bool TryParse(string json, [NotNullWhen(true)] out DeleteRequestsReport? report, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(json);
        report = null;
        if (!ReportFieldReader.TryParseObject(json, out var document, out error))
        {
            return false;
        }

        using (document)
        {
            var parsed = new DeleteRequestsReport(json);
            long workerId = 0;
            var hasWorkerId = false;
            string? mtoken = null;
            bool? success = null;
            IReadOnlyList<long>? idxs = null;
            List<DeletedRequest>? requests = null;
            foreach (var property in document!.RootElement.EnumerateObject())
            {
                var value = property.Value;
                var ok = property.Name switch
                {
                    "worker_id" => ReportFieldReader.TryReadInteger(value, property.Name, ref workerId, out error) && Set(ref hasWorkerId, value.ValueKind != JsonValueKind.Null),
                    "mtoken" => ReportFieldReader.TryReadString(value, property.Name, ref mtoken, out error),
                    "success" => ReportFieldReader.TryReadBoolean(value, property.Name, ref success, out error),
                    "request_idxs" => TryReadIdxs(value, ref idxs, out error),
                    "requests" => TryReadRequests(value, ref requests, out error),
                    _ => true,
                };
                if (!ok)
                {
                    error ??= "invalid field '" + property.Name + "'";
                    return false;
                }
            }

            if ((idxs is null) == (requests is null))
            {
                error = "expected exactly one of 'request_idxs' (with 'success') and 'requests'";
                return false;
            }

            if (idxs is not null)
            {
                if (success is null)
                {
                    error = "field 'success' is required with 'request_idxs'";
                    return false;
                }

                parsed.Shape = DeleteRequestsShape.RequestIdxs;
                parsed.Success = success;
                parsed.Requests = [.. idxs.Select(idx => new DeletedRequest(idx, success.Value))];
            }
            else
            {
                parsed.Shape = DeleteRequestsShape.Requests;
                parsed.Requests = requests!;
            }

            parsed.WorkerId = hasWorkerId ? workerId : null;
            parsed.MToken = mtoken;
            report = parsed;
            error = null;
            return true;
        }
    }

    public override string ToString() =>
        $"delete_requests #{Sequence} worker_id={WorkerId} {Shape} [{string.Join(", ", Requests.Select(r => $"{r.RequestIdx}:{(r.Success ? "ok" : "failed")}"))}]";

    private static bool Set(ref bool target, bool value)
    {
        target = value;
        return true;
    }

    private static bool TryReadIdxs(JsonElement value, ref IReadOnlyList<long>? target, out string? error)
    {
        IReadOnlyList<long> list = [];
        if (value.ValueKind == JsonValueKind.Null)
        {
            error = "field 'request_idxs' must be an array of integers";
            return false;
        }

        if (!ReportFieldReader.TryReadIntegerList(value, "request_idxs", ref list, out error))
        {
            return false;
        }

        target = list;
        return true;
    }

    private static bool TryReadRequests(JsonElement value, ref List<DeletedRequest>? target, out string? error)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            error = "field 'requests' must be an array of objects";
            return false;
        }

        var list = new List<DeletedRequest>(value.GetArrayLength());
        var index = 0;
        foreach (var item in value.EnumerateArray())
        {
            if (!TryReadRequest(item, $"requests[{index}]", out var request, out error))
            {
                return false;
            }

            list.Add(request);
            index++;
        }

        target = list;
        error = null;
        return true;
    }

    private static bool TryReadRequest(JsonElement item, string path, [NotNullWhen(true)] out DeletedRequest? request, out string? error)
    {
        request = null;
        if (item.ValueKind != JsonValueKind.Object)
        {
            error = $"'{path}' must be an object";
            return false;
        }

        long idx = 0;
        var hasIdx = false;
        bool? success = null;
        string? status = null;
        double enteredQueueAt = 0, workStartedAt = 0, workCompletedAt = 0;
        foreach (var property in item.EnumerateObject())
        {
            var name = path + "." + property.Name;
            var value = property.Value;
            var ok = property.Name switch
            {
                "request_idx" => ReportFieldReader.TryReadInteger(value, name, ref idx, out error) && Set(ref hasIdx, value.ValueKind != JsonValueKind.Null),
                "success" => ReportFieldReader.TryReadBoolean(value, name, ref success, out error),
                "status" => ReportFieldReader.TryReadString(value, name, ref status, out error),
                "entered_queue_at" => ReportFieldReader.TryReadNumber(value, name, ref enteredQueueAt, out error),
                "work_started_at" => ReportFieldReader.TryReadNumber(value, name, ref workStartedAt, out error),
                "work_completed_at" => ReportFieldReader.TryReadNumber(value, name, ref workCompletedAt, out error),
                _ => NoError(out error),
            };
            if (!ok)
            {
                error ??= "invalid field '" + name + "'";
                return false;
            }
        }

        if (!hasIdx || success is null)
        {
            error = $"'{path}' needs 'request_idx' and 'success'";
            return false;
        }

        request = new DeletedRequest(idx, success.Value, status, enteredQueueAt, workStartedAt, workCompletedAt);
        error = null;
        return true;
    }

    private static bool NoError(out string? error)
    {
        error = null;
        return true;
    }
}
