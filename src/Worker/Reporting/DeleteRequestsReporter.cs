using System.Buffers;
using System.Text.Json;
using Vespa.Worker.Admission;
using Vespa.Worker.Metrics;
using Vespa.Worker.Options;

namespace Vespa.Worker.Reporting;

/// <summary>
/// Tells the autoscaler which requests finished: every <c>VESPA_DELETE_REQUESTS_INTERVAL</c> the
/// oldest finished records (at most <see cref="BatchSize"/>) are posted to
/// <c>/delete_requests/</c> and removed only once an address accepted them, so each record is
/// reported once per acceptance and never lost to an outage shorter than the queue bound
/// (<see cref="LoadTracker.MaxFinishedRecords"/>). Shape B by default, shape A by option; in
/// shape A the success and failure lists are separate posts, and a list that one address accepted
/// is not re-sent to the next (the SDK re-sends both, duplicating).
/// </summary>
internal sealed class DeleteRequestsReporter : BackgroundService
{
    public const int BatchSize = 1000;

    private readonly AutoscalerClient _client;
    private readonly LoadTracker _load;
    private readonly WorkerOptions _options;
    private readonly TimeProvider _time;
    private readonly WorkerMetrics _metrics;
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);
    private long _droppedSeen;

    public DeleteRequestsReporter(AutoscalerClient client, LoadTracker load, WorkerOptions options, TimeProvider time, WorkerMetrics metrics)
    {
        _client = client;
        _load = load;
        _options = options;
        _time = time;
        _metrics = metrics;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_client.HasAddresses)
        {
            return;
        }

        using var timer = new PeriodicTimer(_options.DeleteRequestsInterval, _time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            await SendPendingAsync(stoppingToken);
        }
    }

    /// <summary>Sends one batch of finished records; true when nothing was left unsent.</summary>
    public async Task<bool> SendPendingAsync(CancellationToken cancellationToken)
    {
        UpdateGauges();
        var batch = _load.PeekFinished(BatchSize);
        if (batch.Count == 0)
        {
            return true;
        }

        var allSent = true;
        if (_options.DeleteRequestsShape == DeleteRequestsShape.B)
        {
            allSent = await SendAsync(batch, WriteShapeB, cancellationToken);
        }
        else
        {
            foreach (var success in new[] { true, false })
            {
                var part = batch.Where(r => r.Success == success).ToArray();
                if (part.Length > 0)
                {
                    allSent &= await SendAsync(part, (json, records) => WriteShapeA(json, records, success), cancellationToken);
                }
            }
        }

        UpdateGauges();
        return allSent;
    }

    private async Task<bool> SendAsync(IReadOnlyList<RequestRecord> records, Action<Utf8JsonWriter, IReadOnlyList<RequestRecord>> write, CancellationToken cancellationToken)
    {
        _buffer.ResetWrittenCount();
        using (var json = new Utf8JsonWriter(_buffer))
        {
            write(json, records);
        }

        if (!await _client.PostAsync("/delete_requests/", _buffer.WrittenMemory, cancellationToken))
        {
            return false;
        }

        _load.RemoveFinished(records);
        return true;
    }

    private void WriteShapeB(Utf8JsonWriter json, IReadOnlyList<RequestRecord> records)
    {
        json.WriteStartObject();
        json.WriteNumber("worker_id", _options.ContainerId ?? 0);
        json.WriteString("mtoken", _options.MasterToken);
        json.WriteStartArray("requests");
        foreach (var record in records)
        {
            json.WriteStartObject();
            json.WriteNumber("request_idx", record.RequestIdx ?? 0);
            json.WriteBoolean("success", record.Success);
            json.WriteString("status", record.Status.ToString());
            json.WriteNumber("entered_queue_at", record.EnteredQueueAt);
            json.WriteNumber("work_started_at", record.WorkStartedAt);
            json.WriteNumber("work_completed_at", record.WorkCompletedAt);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private void WriteShapeA(Utf8JsonWriter json, IReadOnlyList<RequestRecord> records, bool success)
    {
        json.WriteStartObject();
        json.WriteNumber("worker_id", _options.ContainerId ?? 0);
        json.WriteString("mtoken", _options.MasterToken);
        json.WriteStartArray("request_idxs");
        foreach (var record in records)
        {
            json.WriteNumberValue(record.RequestIdx ?? 0);
        }

        json.WriteEndArray();
        json.WriteBoolean("success", success);
        json.WriteEndObject();
    }

    private void UpdateGauges()
    {
        _metrics.FinishedPending.Set(_load.PendingFinishedRecords);
        var dropped = _load.DroppedFinishedRecords;
        if (dropped > _droppedSeen)
        {
            _metrics.FinishedDropped.Inc(dropped - _droppedSeen);
            _droppedSeen = dropped;
        }
    }
}
