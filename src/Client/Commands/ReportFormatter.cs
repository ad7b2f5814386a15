using System.Globalization;
using System.Text;
using Vespa.Emulator;

namespace Vespa.Client.Commands;

/// <summary>Text forms of the emulator's reports for <c>emulate</c>: one line per report, or a table of the latest
/// report per worker.</summary>
internal static class ReportFormatter
{
    private static readonly string[] Headers =
        ["WORKER", "LOADTIME", "CUR_LOAD", "NEW_LOAD", "REJ_LOAD", "CUR_PERF", "MAX_PERF", "WORKING", "AGE", "ERROR_MSG"];

    public static string FormatLine(WorkerStatusReport report) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{report.ReceivedAt:HH:mm:ss.fff} worker_status {report.WorkerKey} id={report.Id?.ToString(CultureInfo.InvariantCulture) ?? "-"} " +
            $"loadtime={Number(report.LoadTime)} cur_load={Number(report.CurLoad)} new_load={Number(report.NewLoad)} rej_load={Number(report.RejLoad)} " +
            $"cur_perf={Number(report.CurPerf)} max_perf={Number(report.MaxPerf)} working={report.NumRequestsWorking} " +
            $"received={report.NumRequestsReceived} error_msg=\"{report.ErrorMsg}\"");

    public static string FormatLine(DeleteRequestsReport report) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{report.ReceivedAt:HH:mm:ss.fff} delete_requests worker_id={report.WorkerId?.ToString(CultureInfo.InvariantCulture) ?? "-"} " +
            $"shape={(report.Shape == DeleteRequestsShape.RequestIdxs ? "request_idxs" : "requests")} " +
            $"[{string.Join(' ', report.Requests.Select(r => r.RequestIdx.ToString(CultureInfo.InvariantCulture) + ":" + (r.Status ?? (r.Success ? "ok" : "failed"))))}]");

    /// <summary>The table's lines, each cut to <paramref name="width"/> − 1 columns so the terminal never wraps them
    /// (a wrapped line would break the redraw).</summary>
    public static IReadOnlyList<string> FormatTable(AutoscalerEmulator emulator, DateTimeOffset now, int width)
    {
        var rows = new List<string[]> { Headers };
        foreach (var report in emulator.LatestStatusReports)
        {
            rows.Add(
            [
                report.WorkerKey,
                Number(report.LoadTime),
                Number(report.CurLoad),
                Number(report.NewLoad),
                Number(report.RejLoad),
                Number(report.CurPerf),
                Number(report.MaxPerf),
                report.NumRequestsWorking.ToString(CultureInfo.InvariantCulture),
                Age(now - report.ReceivedAt),
                report.ErrorMsg,
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

        var lines = new List<string>(rows.Count + 2);
        foreach (var row in rows)
        {
            var line = new StringBuilder();
            for (var i = 0; i < row.Length; i++)
            {
                // Text columns left-aligned, numbers right-aligned.
                var cell = i is 0 or 9 ? row[i].PadRight(widths[i]) : row[i].PadLeft(widths[i]);
                line.Append(cell).Append("  ");
            }

            lines.Add(line.ToString().TrimEnd());
        }

        if (rows.Count == 1)
        {
            lines.Add("(no worker has reported yet)");
        }

        lines.Add(string.Create(CultureInfo.InvariantCulture,
            $"status reports: {emulator.GetAcceptedCount(EmulatorOperation.WorkerStatus)}  delete reports: {emulator.GetAcceptedCount(EmulatorOperation.DeleteRequests)}  " +
            $"routes: {emulator.GetAcceptedCount(EmulatorOperation.Route)}  eligible workers: {emulator.EligibleWorkers.Count}"));
        var max = Math.Max(20, width - 1);
        return [.. lines.Select(l => l.Length > max ? l[..max] : l)];
    }

    private static string Number(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    private static string Age(TimeSpan age) =>
        age.TotalSeconds < 0 ? "0s" : age.TotalSeconds < 100 ? age.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + "s" : ((long)age.TotalSeconds).ToString(CultureInfo.InvariantCulture) + "s";
}
