using System.Threading.Channels;
using Vespa.Core.Signatures;

namespace Vespa.Emulator.Terminal;

/// <summary>
/// What <c>vespa-client emulate</c> prints: a banner (addresses, the worker environment, keys, how to route), then
/// until cancelled either, on a terminal, a scrolling event log above a worker table redrawn every second, or, on a
/// pipe, one line per report and per event.
/// </summary>
/// <param name="output">Where to write.</param>
/// <param name="isTerminal">Whether <paramref name="output"/> is a terminal (redraws with ANSI cursor moves).</param>
/// <param name="width">The terminal's columns.</param>
/// <param name="timeProvider">The clock of the redraw. <value>Default <see cref="TimeProvider.System"/>.</value></param>
public sealed class EmulatorConsoleView(TextWriter output, bool isTerminal, int width, TimeProvider? timeProvider = null)
{
    /// <summary>Lines waiting to be printed on a pipe; beyond this the oldest are dropped, so a slow pipe never holds
    /// up the emulator's request handling.</summary>
    private const int MaxPendingLines = 1000;

    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    public async Task WriteBannerAsync(AutoscalerEmulator emulator, EmulatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(emulator);
        ArgumentNullException.ThrowIfNull(options);
        var baseUrl = emulator.BaseUrl.OriginalString;
        var endpoint = emulator.Endpoints[0];
        await output.WriteLineAsync($"vespa-client emulate: local autoscaler on {baseUrl} (signature scheme {SignatureSchemeParser.ToName(emulator.Scheme)})").ConfigureAwait(false);
        if (options.AllowRemote && options.Host is not ("127.0.0.1" or "::1" or "localhost"))
        {
            await output.WriteLineAsync($"WARNING: listening on {options.Host}; anyone who can reach it can route, read reports and set faults.").ConfigureAwait(false);
        }

        await output.WriteLineAsync().ConfigureAwait(false);
        var workers = emulator.RegisteredWorkers;
        var targets = workers.Count == 0 ? [WorkerEnvironment.DefaultWorker] : workers.Select(w => new Uri(w)).ToList();
        for (var i = 0; i < targets.Count; i++)
        {
            var environment = WorkerEnvironment.For(emulator.BaseUrl, targets[i], containerId: i + 1);
            await output.WriteLineAsync(workers.Count == 0
                ? "Worker environment (a secured worker on this machine):"
                : $"Worker environment for {targets[i].OriginalString.TrimEnd('/')}:").ConfigureAwait(false);
            await output.WriteLineAsync("  " + environment[0]).ConfigureAwait(false);
            await output.WriteLineAsync("  " + string.Join(' ', environment.Skip(1))).ConfigureAwait(false);
        }

        await output.WriteLineAsync().ConfigureAwait(false);
        foreach (var e in emulator.Endpoints)
        {
            await output.WriteLineAsync($"Endpoint {e.Name}: key {e.ApiKey}").ConfigureAwait(false);
        }

        await output.WriteLineAsync($"Account key: {options.AccountKey}").ConfigureAwait(false);
        await output.WriteLineAsync(workers.Count == 0
            ? "Workers: none registered; a worker becomes eligible once it reports loadtime > 0 with its url."
            : "Workers: " + string.Join(", ", workers)).ConfigureAwait(false);
        await output.WriteLineAsync().ConfigureAwait(false);
        await output.WriteLineAsync("Route a request:").ConfigureAwait(false);
        await output.WriteLineAsync($"  curl -s -X POST {baseUrl}/route/ -H 'Authorization: Bearer {endpoint.ApiKey}' -d '{{\"endpoint\": \"{endpoint.Name}\", \"cost\": 100}}'").ConfigureAwait(false);
        await output.WriteLineAsync($"Live page: {baseUrl}/   Reports: GET {baseUrl}/_emulator/reports   Faults: POST {baseUrl}/_emulator/faults").ConfigureAwait(false);
        await output.WriteLineAsync("Press Ctrl+C to stop.").ConfigureAwait(false);
        await output.WriteLineAsync().ConfigureAwait(false);
        await output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>Shows the emulator's activity until <paramref name="cancellationToken"/> fires (then throws
    /// <see cref="OperationCanceledException"/>).</summary>
    public Task RunAsync(AutoscalerEmulator emulator, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(emulator);
        return isTerminal ? ShowTableAsync(emulator, cancellationToken) : ShowLinesAsync(emulator, cancellationToken);
    }

    /// <summary>The terminal frame: the events since <paramref name="afterSequence"/> (they scroll away above), then the
    /// worker table (redrawn in place). Returns the table's line count and the last event shown.</summary>
    public (IReadOnlyList<string> Events, IReadOnlyList<string> Table, long LastSequence) Frame(AutoscalerEmulator emulator, long afterSequence)
    {
        ArgumentNullException.ThrowIfNull(emulator);
        var events = new List<string>();
        var last = afterSequence;
        var recorded = emulator.Events;
        if (recorded.Count > 0 && recorded[0].Sequence > afterSequence + 1 && afterSequence > 0)
        {
            events.Add($"({recorded[0].Sequence - afterSequence - 1} events dropped: the log keeps the last {recorded.Count})");
        }

        foreach (var e in recorded)
        {
            if (e.Sequence > afterSequence)
            {
                events.AddRange(ReportFormatter.FormatEvent(e, width));
                last = e.Sequence;
            }
        }

        return (events, ReportFormatter.FormatTable(emulator, width), last);
    }

    private async Task ShowLinesAsync(AutoscalerEmulator emulator, CancellationToken cancellationToken)
    {
        var lines = Channel.CreateBounded<string>(new BoundedChannelOptions(MaxPendingLines)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });
        void OnStatus(object? sender, WorkerStatusReport report) => lines.Writer.TryWrite(ReportFormatter.FormatLine(report));
        void OnDelete(object? sender, DeleteRequestsReport report) => lines.Writer.TryWrite(ReportFormatter.FormatLine(report));

        // The delete_requests line already lists the records; every other event gets its own line.
        void OnEvent(object? sender, EmulatorEvent e)
        {
            if (e.Kind != EmulatorEventKind.DeleteRecords)
            {
                lines.Writer.TryWrite(ReportFormatter.FormatLine(e));
            }
        }

        emulator.StatusReportReceived += OnStatus;
        emulator.DeleteReportReceived += OnDelete;
        emulator.EventRecorded += OnEvent;
        try
        {
            await foreach (var line in lines.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                await output.WriteLineAsync(line).ConfigureAwait(false);
                await output.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            emulator.StatusReportReceived -= OnStatus;
            emulator.DeleteReportReceived -= OnDelete;
            emulator.EventRecorded -= OnEvent;
        }
    }

    private async Task ShowTableAsync(AutoscalerEmulator emulator, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), _time);
        var previousLines = 0;
        var lastSequence = 0L;
        do
        {
            var (events, table, last) = Frame(emulator, lastSequence);
            lastSequence = last;

            // Back to the start of the previous table, clear to the end of the screen (ANSI), print the new events
            // where it was (they scroll up and stay), then the table again below them.
            var redraw = previousLines > 0 ? $"\u001b[{previousLines}F\u001b[J" : "";
            var text = redraw + string.Concat(events.Select(l => l + "\n")) + string.Join('\n', table) + "\n";
            await output.WriteAsync(text).ConfigureAwait(false);
            await output.FlushAsync(cancellationToken).ConfigureAwait(false);
            previousLines = table.Count;
        }
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
    }
}
