using System.Buffers;
using System.Text.Json;
using Vespa.Worker.Admission;
using Vespa.Worker.Lifecycle;
using Vespa.Worker.Metrics;
using Vespa.Worker.Options;

namespace Vespa.Worker.Reporting;

/// <summary>
/// Sends <c>POST {REPORT_ADDR}/worker_status/</c> from the moment the worker listens, every
/// <c>VESPA_METRICS_UPDATE_INTERVAL</c> (1 s), idle or busy, loading or failed (vast-protocol.md
/// §4.1; the official workers send only on change or every 10 s, so cancels and errors surface up
/// to 10 s late). Interval figures are handed back to the tracker only once a send succeeded, so a
/// failed send loses nothing and a slow send never blocks requests: ticks that fall during a send
/// are coalesced into the next one. A failing iteration is logged and the next one runs
/// (<see cref="BackgroundLoop"/>); on stop, a final report goes out after the drain.
/// </summary>
internal sealed partial class WorkerStatusReporter : BackgroundService
{
    /// <summary>The version the autoscaler expects from a current worker (a mismatch is an ERROR cause).</summary>
    public const string ProtocolVersion = "1.1.0";

    private readonly AutoscalerClient _client;
    private readonly LoadTracker _load;
    private readonly WorkerState _state;
    private readonly WorkerOptions _options;
    private readonly TimeProvider _time;
    private readonly WorkerMetrics _metrics;
    private readonly BackgroundLoops _loops;
    private readonly BackgroundLoop _loop;
    private readonly ShutdownMonitor _shutdown;
    private readonly DiskUsageProbe _disk = new();
    private readonly ArrayBufferWriter<byte> _buffer = new(1024);
    private readonly ILogger<WorkerStatusReporter> _logger;
    private readonly Action<string> _onNonFinite;
    private readonly Diagnostics.LogThrottle _nonFiniteWarnings;
    private bool _lastSendFailed;

    public WorkerStatusReporter(AutoscalerClient client, LoadTracker load, WorkerState state, WorkerOptions options, TimeProvider time, WorkerMetrics metrics, BackgroundLoops loops, ShutdownMonitor shutdown, ILogger<WorkerStatusReporter> logger)
    {
        _client = client;
        _load = load;
        _state = state;
        _options = options;
        _time = time;
        _metrics = metrics;
        _loops = loops;
        _loop = loops.Create("worker_status reporter", typeof(WorkerStatusReporter));
        _shutdown = shutdown;
        _logger = logger;
        _nonFiniteWarnings = new Diagnostics.LogThrottle(time, TimeSpan.FromMinutes(1));
        _onNonFinite = field =>
        {
            _metrics.NonFiniteValues.Inc();
            if (_nonFiniteWarnings.TryEnter(out _))
            {
                Log.NonFinite(_logger, field);
            }
        };
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_client.HasAddresses)
        {
            Log.NotReporting(_logger);
            return;
        }

        await _loops.WaitForStartAsync(stoppingToken);
        using var timer = new PeriodicTimer(_options.MetricsUpdateInterval, _time);
        do
        {
            await _loop.RunOnceAsync(SendOnceAsync, stoppingToken);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>After the drain (Kestrel stops first): one last report with everything that finished and "stopping" in error_msg.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        var budget = _shutdown.FinalReportToken;
        await base.StopAsync(budget);
        if (!_client.HasAddresses || !_loops.Started || ExecuteTask is not { IsCompleted: true })
        {
            return;
        }

        try
        {
            if (await SendOnceAsync(budget))
            {
                Log.FinalReportSent(_logger);
            }
        }
        catch (OperationCanceledException) when (budget.IsCancellationRequested)
        {
            Log.FinalReportTimedOut(_logger, ShutdownMonitor.FinalReportBudget.TotalSeconds);
        }
    }

    /// <summary>Builds and sends one report; on success the figures it carried leave the interval.</summary>
    public async Task<bool> SendOnceAsync(CancellationToken cancellationToken)
    {
        var snapshot = _load.Snapshot();
        var disk = _disk.UsedGigabytes();
        _buffer.ResetWrittenCount();
        WriteReport(_buffer, _options, _state, snapshot, _disk.DeltaSinceAcknowledged(disk), _onNonFinite);
        var sent = await _client.PostAsync("/worker_status/", _buffer.WrittenMemory, cancellationToken);
        if (sent)
        {
            _load.Acknowledge(snapshot);
            _disk.Acknowledge(disk);
            if (_lastSendFailed)
            {
                Log.Recovered(_logger);
            }
        }
        else if (!_lastSendFailed)
        {
            Log.Unreachable(_logger);
        }

        _lastSendFailed = !sent;
        return sent;
    }

    /// <summary>
    /// The report, field for field as the SDK's <c>WorkerStatusData</c> (vast-protocol.md §4.1): its floats as JSON
    /// floats, its ints as integers. <c>cur_capacity</c>/<c>max_capacity</c> are declared float there but the SDK
    /// always assigns the int literal 0, and that is what goes on the wire.
    /// </summary>
    internal static void WriteReport(IBufferWriter<byte> buffer, WorkerOptions options, WorkerState state, LoadSnapshot now, double diskDelta, Action<string>? onNonFinite)
    {
        using var json = new Utf8JsonWriter(buffer);
        json.WriteStartObject();
        json.WriteNumber("id", options.ContainerId ?? 0);
        json.WriteString("mtoken", options.MasterToken);
        json.WriteString("version", ProtocolVersion);
        AutoscalerJson.WriteFloat(json, "loadtime", state.LoadTimeSeconds, onNonFinite);
        AutoscalerJson.WriteFloat(json, "cur_load", now.CurrentLoad.ToDouble(), onNonFinite);
        AutoscalerJson.WriteFloat(json, "rej_load", now.Rejected.ToDouble(), onNonFinite);
        AutoscalerJson.WriteFloat(json, "new_load", now.NewLoad.ToDouble(), onNonFinite);
        json.WriteString("error_msg", state.ErrorMessage);
        AutoscalerJson.WriteFloat(json, "max_perf", state.MaxThroughput, onNonFinite);
        AutoscalerJson.WriteFloat(json, "cur_perf", now.Served.ToDouble(), onNonFinite);
        json.WriteNumber("cur_capacity", 0);
        json.WriteNumber("max_capacity", 0);
        json.WriteNumber("num_requests_working", now.WorkingCount);
        // The wire name keeps the official typo.
        json.WriteNumber("num_requests_recieved", now.DistinctRequests);
        AutoscalerJson.WriteFloat(json, "additional_disk_usage", diskDelta, onNonFinite);
        json.WriteStartArray("working_request_idxs");
        foreach (var idx in now.WorkingRequestIdxs)
        {
            json.WriteNumberValue(idx);
        }

        json.WriteEndArray();
        json.WriteString("url", options.PublicUrl);
        json.WriteEndObject();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 410, EventName = "NotReporting", Level = LogLevel.Information, Message = "No REPORT_ADDR: not reporting to an autoscaler (local development)")]
        public static partial void NotReporting(ILogger logger);

        [LoggerMessage(EventId = 411, EventName = "AutoscalerUnreachable", Level = LogLevel.Error, Message = "worker_status could not be delivered to any REPORT_ADDR; counters are kept and sent with the next report")]
        public static partial void Unreachable(ILogger logger);

        [LoggerMessage(EventId = 412, EventName = "AutoscalerRecovered", Level = LogLevel.Information, Message = "worker_status delivered again")]
        public static partial void Recovered(ILogger logger);

        [LoggerMessage(EventId = 413, EventName = "NonFiniteReportValue", Level = LogLevel.Error, Message = "worker_status field {Field} was not a finite number; sent as 0.0")]
        public static partial void NonFinite(ILogger logger, string field);

        [LoggerMessage(EventId = 414, EventName = "FinalReportSent", Level = LogLevel.Information, Message = "Final worker_status sent")]
        public static partial void FinalReportSent(ILogger logger);

        [LoggerMessage(EventId = 415, EventName = "FinalReportTimedOut", Level = LogLevel.Warning, Message = "The final worker_status did not go out within {Seconds}s")]
        public static partial void FinalReportTimedOut(ILogger logger, double seconds);
    }
}
