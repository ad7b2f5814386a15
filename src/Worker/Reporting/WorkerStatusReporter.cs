using System.Buffers;
using System.Text.Json;
using Vespa.Worker.Admission;
using Vespa.Worker.Lifecycle;
using Vespa.Worker.Options;

namespace Vespa.Worker.Reporting;

/// <summary>
/// Sends <c>POST {REPORT_ADDR}/worker_status/</c> from process start, every
/// <c>VESPA_METRICS_UPDATE_INTERVAL</c> (1 s), idle or busy, loading or failed (vast-protocol.md
/// §4.1; the official workers send only on change or every 10 s, so cancels and errors surface up
/// to 10 s late). Interval counters are differences against the last acknowledged snapshot, so a
/// failed send loses nothing and a slow send never blocks requests: ticks that fall during a send
/// are coalesced into the next one.
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
    private readonly DiskUsageProbe _disk = new();
    private readonly ArrayBufferWriter<byte> _buffer = new(1024);
    private readonly ILogger<WorkerStatusReporter> _logger;
    private LoadSnapshot _acknowledged = new(0, 0, 0, 0, 0, 0, 0, [], 0);
    private bool _lastSendFailed;

    public WorkerStatusReporter(AutoscalerClient client, LoadTracker load, WorkerState state, WorkerOptions options, TimeProvider time, ILogger<WorkerStatusReporter> logger)
    {
        _client = client;
        _load = load;
        _state = state;
        _options = options;
        _time = time;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_client.HasAddresses)
        {
            Log.NotReporting(_logger);
            return;
        }

        using var timer = new PeriodicTimer(_options.MetricsUpdateInterval, _time);
        do
        {
            await SendOnceAsync(stoppingToken);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Builds and sends one report; on success the interval counters start again from this snapshot.</summary>
    public async Task<bool> SendOnceAsync(CancellationToken cancellationToken)
    {
        var snapshot = _load.Snapshot();
        var disk = _disk.UsedGigabytes();
        Write(snapshot, _disk.DeltaSinceAcknowledged(disk));
        var sent = await _client.PostAsync("/worker_status/", _buffer.WrittenMemory, cancellationToken);
        if (sent)
        {
            _acknowledged = snapshot;
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

    private void Write(LoadSnapshot now, double diskDelta)
    {
        var last = _acknowledged;
        _buffer.ResetWrittenCount();
        using var json = new Utf8JsonWriter(_buffer);
        json.WriteStartObject();
        json.WriteNumber("id", _options.ContainerId ?? 0);
        json.WriteString("mtoken", _options.MasterToken);
        json.WriteString("version", ProtocolVersion);
        json.WriteNumber("loadtime", _state.LoadTimeSeconds);
        json.WriteNumber("cur_load", now.CurrentLoad);
        json.WriteNumber("rej_load", now.Rejected - last.Rejected);
        json.WriteNumber("new_load", Math.Max((now.Received - last.Received) - (now.Cancelled - last.Cancelled), 0));
        json.WriteString("error_msg", _state.ErrorMessage);
        json.WriteNumber("max_perf", _state.MaxThroughput);
        json.WriteNumber("cur_perf", now.Served - last.Served);
        json.WriteNumber("cur_capacity", 0);
        json.WriteNumber("max_capacity", 0);
        json.WriteNumber("num_requests_working", now.WorkingCount);
        // The wire name keeps the official typo.
        json.WriteNumber("num_requests_recieved", now.DistinctRequests);
        json.WriteNumber("additional_disk_usage", diskDelta);
        json.WriteStartArray("working_request_idxs");
        foreach (var idx in now.WorkingRequestIdxs)
        {
            json.WriteNumberValue(idx);
        }

        json.WriteEndArray();
        json.WriteString("url", _options.PublicUrl);
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
    }
}
