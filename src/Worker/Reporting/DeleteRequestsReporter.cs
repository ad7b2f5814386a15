using System.Buffers;
using System.Text.Json;
using Vespa.Worker.Admission;
using Vespa.Worker.Lifecycle;
using Vespa.Worker.Metrics;
using Vespa.Worker.Options;

namespace Vespa.Worker.Reporting;

/// <summary>
/// Tells the autoscaler which requests finished: every <c>VESPA_DELETE_REQUESTS_INTERVAL</c> the
/// whole backlog present at the tick is posted to <c>/delete_requests/</c>, oldest first, in
/// batches of at most <see cref="BatchSize"/>, and each record is removed (O(1)) only once an
/// address accepted it; so each record is reported once per acceptance, the reporter keeps up with
/// any rate the batches can carry, and nothing is lost to an outage shorter than the queue bound
/// (<see cref="LoadTracker.MaxFinishedRecords"/>). Shape B by default, shape A by option; in
/// shape A the success and failure lists are separate posts, and a list that one address accepted
/// is not re-sent to the next (the SDK re-sends both, duplicating). On stop, after the drain,
/// every record left is flushed.
/// </summary>
internal sealed partial class DeleteRequestsReporter : BackgroundService
{
    /// <summary>Records per post (about 150 bytes each in shape B).</summary>
    public const int BatchSize = 1000;

    private readonly AutoscalerClient _client;
    private readonly LoadTracker _load;
    private readonly WorkerOptions _options;
    private readonly TimeProvider _time;
    private readonly WorkerMetrics _metrics;
    private readonly BackgroundLoops _loops;
    private readonly BackgroundLoop _loop;
    private readonly ShutdownMonitor _shutdown;
    private readonly ILogger<DeleteRequestsReporter> _logger;
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);
    private readonly Action<string> _onNonFinite;
    private long _droppedSeen;

    public DeleteRequestsReporter(AutoscalerClient client, LoadTracker load, WorkerOptions options, TimeProvider time, WorkerMetrics metrics, BackgroundLoops loops, ShutdownMonitor shutdown, ILogger<DeleteRequestsReporter> logger)
    {
        _client = client;
        _load = load;
        _options = options;
        _time = time;
        _metrics = metrics;
        _loops = loops;
        _loop = loops.Create("delete_requests reporter", typeof(DeleteRequestsReporter));
        _shutdown = shutdown;
        _logger = logger;
        _onNonFinite = _ => metrics.NonFiniteValues.Inc();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_client.HasAddresses)
        {
            return;
        }

        await _loops.WaitForStartAsync(stoppingToken);
        using var timer = new PeriodicTimer(_options.DeleteRequestsInterval, _time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            await _loop.RunOnceAsync(SendPendingAsync, stoppingToken);
        }
    }

    /// <summary>After the drain (Kestrel stops first): every record left, including the requests that just finished.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        var budget = _shutdown.FinalReportToken;
        await base.StopAsync(budget);
        if (!_client.HasAddresses || !_loops.Started || ExecuteTask is not { IsCompleted: true } || _load.PendingFinishedRecords == 0)
        {
            return;
        }

        try
        {
            var pending = _load.PendingFinishedRecords;
            if (await SendPendingAsync(budget))
            {
                Log.Flushed(_logger, pending);
            }
            else
            {
                Log.FlushFailed(_logger, _load.PendingFinishedRecords);
            }
        }
        catch (OperationCanceledException) when (budget.IsCancellationRequested)
        {
            Log.FlushFailed(_logger, _load.PendingFinishedRecords);
        }
    }

    /// <summary>
    /// Sends the records finished before this call, batch by batch, stopping at the first batch no address
    /// accepted; true when none of them is left. Records finishing meanwhile wait for the next call.
    /// </summary>
    public async Task<bool> SendPendingAsync(CancellationToken cancellationToken)
    {
        UpdateGauges();
        // Bounded by the backlog at the start, so a sustained stream of new records cannot keep one tick going.
        var left = _load.PendingFinishedRecords;
        var allSent = true;
        while (left > 0 && allSent)
        {
            var batch = _load.PeekFinished(Math.Min(BatchSize, left));
            if (batch.Count == 0)
            {
                break;
            }

            left -= batch.Count;
            allSent = await SendBatchAsync(batch, cancellationToken);
        }

        UpdateGauges();
        return allSent;
    }

    private async Task<bool> SendBatchAsync(IReadOnlyList<RequestRecord> batch, CancellationToken cancellationToken)
    {
        if (_options.DeleteRequestsShape == DeleteRequestsShape.B)
        {
            return await SendAsync(batch, WriteShapeB, cancellationToken);
        }

        var allSent = true;
        foreach (var success in new[] { true, false })
        {
            var part = batch.Where(r => r.Success == success).ToArray();
            if (part.Length > 0)
            {
                allSent &= await SendAsync(part, (json, records) => WriteShapeA(json, records, success), cancellationToken);
            }
        }

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

    /// <summary>Shape B as the SDK's <c>RequestMetrics</c>: <c>request_idx</c> an integer, the timestamps floats (<c>0.0</c> when unset).</summary>
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
            AutoscalerJson.WriteFloat(json, "entered_queue_at", record.EnteredQueueAt, _onNonFinite);
            AutoscalerJson.WriteFloat(json, "work_started_at", record.WorkStartedAt, _onNonFinite);
            AutoscalerJson.WriteFloat(json, "work_completed_at", record.WorkCompletedAt, _onNonFinite);
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

    private static partial class Log
    {
        [LoggerMessage(EventId = 420, EventName = "DeleteRequestsFlushed", Level = LogLevel.Information, Message = "Final delete_requests: {Count} finished requests reported")]
        public static partial void Flushed(ILogger logger, int count);

        [LoggerMessage(EventId = 421, EventName = "DeleteRequestsFlushFailed", Level = LogLevel.Warning, Message = "Final delete_requests: {Count} finished requests could not be reported before the process stops")]
        public static partial void FlushFailed(ILogger logger, int count);
    }
}
