using System.Globalization;
using System.Text;

namespace Vespa.Emulator.Terminal;

/// <summary>
/// Text forms of the emulator's state for <c>vespa-client emulate</c>: one line per report or event (for pipes and
/// logs), and the worker table a terminal redraws. The table fits the terminal's width (80 columns included): one row
/// of load and performance figures per worker, then its working count, load time and running totals, then its error
/// message, each wrapped to the width rather than cut.
/// </summary>
public static class ReportFormatter
{
    private static readonly string[] Headers = ["WORKER", "STATE", "AGE", "CUR_LOAD", "NEW_LOAD", "REJ_LOAD", "CUR_PERF", "MAX_PERF"];

    /// <summary>The narrowest the WORKER column gets before the row is cut instead.</summary>
    private const int MinimumWorkerColumn = 12;

    public static string FormatLine(WorkerStatusReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return string.Create(CultureInfo.InvariantCulture,
            $"{report.ReceivedAt:HH:mm:ss.fff} worker_status {report.WorkerKey} id={report.Id?.ToString(CultureInfo.InvariantCulture) ?? "-"} " +
            $"loadtime={Number(report.LoadTime)} cur_load={Number(report.CurLoad)} new_load={Number(report.NewLoad)} rej_load={Number(report.RejLoad)} " +
            $"cur_perf={Number(report.CurPerf)} max_perf={Number(report.MaxPerf)} working={report.NumRequestsWorking} " +
            $"received={report.NumRequestsReceived} error_msg=\"{report.ErrorMsg}\"");
    }

    public static string FormatLine(DeleteRequestsReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return string.Create(CultureInfo.InvariantCulture,
            $"{report.ReceivedAt:HH:mm:ss.fff} delete_requests worker_id={report.WorkerId?.ToString(CultureInfo.InvariantCulture) ?? "-"} " +
            $"shape={(report.Shape == DeleteRequestsShape.RequestIdxs ? "request_idxs" : "requests")} " +
            $"[{string.Join(' ', report.Requests.Select(r => r.RequestIdx.ToString(CultureInfo.InvariantCulture) + ":" + (r.Status ?? (r.Success ? "ok" : "failed"))))}]");
    }

    /// <summary>One event, on one line: time, a short label, what happened.</summary>
    public static string FormatLine(EmulatorEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return string.Create(CultureInfo.InvariantCulture, $"{e.Time:HH:mm:ss.fff} {Label(e.Kind),-8} {e.Message}");
    }

    /// <summary>One event wrapped to a terminal <paramref name="width"/> wide, continuation lines under the message.</summary>
    public static IReadOnlyList<string> FormatEvent(EmulatorEvent e, int width)
    {
        ArgumentNullException.ThrowIfNull(e);
        var max = TextLayout.Usable(width);
        var prefix = string.Create(CultureInfo.InvariantCulture, $"{e.Time:HH:mm:ss.fff} {Label(e.Kind),-8} ");
        var message = TextLayout.Wrap(e.Message, max - prefix.Length, indent: 0);
        var pad = new string(' ', prefix.Length);
        return [.. message.Select((line, i) => (i == 0 ? prefix : pad) + line)];
    }

    /// <summary>The short label of an event kind in the log.</summary>
    public static string Label(EmulatorEventKind kind) => kind switch
    {
        EmulatorEventKind.RouteGiven => "route",
        EmulatorEventKind.RouteRefused => "no-route",
        EmulatorEventKind.ReportRejected => "rejected",
        EmulatorEventKind.DeleteRecords => "deleted",
        EmulatorEventKind.Fault => "fault",
        EmulatorEventKind.WorkerRegistered => "worker",
        EmulatorEventKind.WorkerJoined => "worker",
        EmulatorEventKind.WorkerReady => "ready",
        EmulatorEventKind.WorkerError => "error",
        EmulatorEventKind.WorkerStale => "stale",
        EmulatorEventKind.WorkerBack => "back",
        _ => kind.ToString(),
    };

    /// <summary>The short name of a worker state in the table.</summary>
    public static string StateName(EmulatedWorkerState state) => state switch
    {
        EmulatedWorkerState.Registered => "unseen", // registered, no report yet
        EmulatedWorkerState.Loading => "loading",
        EmulatedWorkerState.Ready => "ready",
        EmulatedWorkerState.Error => "error",
        EmulatedWorkerState.Stale => "STALE",
        _ => state.ToString(),
    };

    /// <summary>The table's lines for the emulator's workers now, each at most <paramref name="width"/> − 1 columns so
    /// the terminal never wraps them (a wrapped line would break the redraw).</summary>
    public static IReadOnlyList<string> FormatTable(AutoscalerEmulator emulator, int width)
    {
        ArgumentNullException.ThrowIfNull(emulator);
        var workers = emulator.Workers;
        var summary = string.Create(CultureInfo.InvariantCulture,
            $"status reports {emulator.GetAcceptedCount(EmulatorOperation.WorkerStatus)} ({emulator.GetRejectedCount(EmulatorOperation.WorkerStatus)} refused)|" +
            $"delete reports {emulator.GetAcceptedCount(EmulatorOperation.DeleteRequests)} ({emulator.GetRejectedCount(EmulatorOperation.DeleteRequests)} refused)|" +
            $"routes {emulator.GetAcceptedCount(EmulatorOperation.Route)} ({emulator.GetRejectedCount(EmulatorOperation.Route)} refused)|" +
            $"eligible workers {workers.Count(w => w.Eligible)} of {workers.Count}");
        return FormatTable(workers, summary.Split('|'), width);
    }

    /// <summary>The table for <paramref name="workers"/>, with <paramref name="summary"/> items packed below it.</summary>
    public static IReadOnlyList<string> FormatTable(IReadOnlyList<EmulatedWorker> workers, IEnumerable<string> summary, int width)
    {
        ArgumentNullException.ThrowIfNull(workers);
        var max = TextLayout.Usable(width);
        var rows = new List<string[]> { Headers };
        foreach (var worker in workers)
        {
            var report = worker.LastReport;
            rows.Add(
            [
                ShortName(worker.Key),
                StateName(worker.State),
                worker.SilentFor is { } silent ? Age(silent) : "-",
                report is null ? "-" : Number(report.CurLoad),
                report is null ? "-" : Number(report.NewLoad),
                report is null ? "-" : Number(report.RejLoad),
                report is null ? "-" : Number(report.CurPerf),
                report is null ? "-" : Number(report.MaxPerf),
            ]);
        }

        var widths = new int[Headers.Length];
        foreach (var row in rows)
        {
            for (var i = 0; i < row.Length; i++)
            {
                widths[i] = Math.Max(widths[i], row[i].Length);
            }
        }

        // Too wide: the worker column gives way first (cut from the left, so the port stays visible).
        var total = widths.Sum() + Enumerable.Range(0, widths.Length - 1).Sum(i => Gap(i).Length);
        if (total > max)
        {
            widths[0] = Math.Max(MinimumWorkerColumn, widths[0] - (total - max));
        }

        var lines = new List<string>();
        for (var r = 0; r < rows.Count; r++)
        {
            lines.Add(TextLayout.Fit(Row(rows[r], widths), max));
            if (r == 0)
            {
                continue;
            }

            var worker = workers[r - 1];
            lines.AddRange(TextLayout.Pack(Details(worker), max, indent: 2));
            if (worker.LastReport is { ErrorMsg.Length: > 0 } errored)
            {
                lines.AddRange(TextLayout.Wrap("error_msg: " + errored.ErrorMsg, max - 2, indent: 2).Select(l => "  " + l));
            }
        }

        if (workers.Count == 0)
        {
            lines.Add("(no worker has reported or been registered yet)");
        }

        lines.AddRange(TextLayout.Pack(summary, max, indent: 0, separator: " · "));
        return lines;
    }

    /// <summary>A worker's second line: what does not fit the row (working, received, load time, totals).</summary>
    private static IEnumerable<string> Details(EmulatedWorker worker)
    {
        var report = worker.LastReport;
        var totals = worker.Totals;
        var inv = CultureInfo.InvariantCulture;
        if (report is not null)
        {
            yield return "working " + report.NumRequestsWorking.ToString(inv);
            yield return "received " + report.NumRequestsReceived.ToString(inv);
            yield return "loadtime " + Number(report.LoadTime);
            if (report.Id is { } id)
            {
                yield return "id " + id.ToString(inv);
            }
        }

        yield return string.Create(inv, $"totals: reports {totals.Reports}, routes {totals.Routes}, served {Number(totals.CurPerf)}, rejected {Number(totals.RejLoad)}, deleted {totals.DeletedOk} ok/{totals.DeletedFailed} failed");
        if (worker.State == EmulatedWorkerState.Stale)
        {
            yield return "no routes until it reports again";
        }
    }

    private static string Row(string[] cells, int[] widths)
    {
        var line = new StringBuilder();
        for (var i = 0; i < cells.Length; i++)
        {
            // Text columns left-aligned, figures right-aligned.
            var cell = i == 0 ? TextLayout.FitLeft(cells[i], widths[i]).PadRight(widths[i])
                : i == 1 ? cells[i].PadRight(widths[i])
                : cells[i].PadLeft(widths[i]);
            line.Append(cell);
            if (i < cells.Length - 1)
            {
                line.Append(Gap(i));
            }
        }

        return line.ToString().TrimEnd();
    }

    /// <summary>Two spaces after the text columns, one between figures (80 columns hold the whole row).</summary>
    private static string Gap(int column) => column < 2 ? "  " : " ";

    /// <summary>A worker key without <c>http://</c> (the common case needs no scheme; https stays visible).</summary>
    private static string ShortName(string key) =>
        key.StartsWith("http://", StringComparison.Ordinal) ? key["http://".Length..] : key;

    private static string Number(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    private static string Age(TimeSpan age) =>
        age.TotalSeconds < 0 ? "0s" : age.TotalSeconds < 100 ? age.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + "s" : ((long)age.TotalSeconds).ToString(CultureInfo.InvariantCulture) + "s";
}
