using Microsoft.Extensions.Time.Testing;
using Vespa.Emulator.Terminal;
using static Vespa.Testing.EmulatorTestKit;

namespace Vespa.Emulator.Tests.Terminal;

/// <summary>The worker table and event lines fit the terminal: on 80 columns every figure, WORKING and ERROR_MSG
/// show, and no line is wider than 79 columns (the terminal would wrap it and break the redraw).</summary>
public sealed class ReportFormatterTests
{
    private const string LongError = "embedded engine unavailable: the model file /models/very-large-model-q4_k_m.gguf could not be loaded (out of memory)";

    [Fact]
    public async Task Table_On80Columns_ShowsEveryFigure_WorkingAndTheWholeErrorMessage()
    {
        await using var emulator = await StartAsync();
        await PostAsync(emulator, "/worker_status/", StatusBody("http://127.0.0.1:3000", loadtime: 4.25, curLoad: 42, errorMsg: LongError));

        var table = ReportFormatter.FormatTable(emulator, width: 80);

        Assert.All(table, line => Assert.True(line.Length <= 79, $"{line.Length} columns: {line}"));
        foreach (var header in new[] { "WORKER", "STATE", "AGE", "CUR_LOAD", "NEW_LOAD", "REJ_LOAD", "CUR_PERF", "MAX_PERF" })
        {
            Assert.Contains(header, table[0], StringComparison.Ordinal);
        }

        var text = string.Join('\n', table);
        Assert.Contains("127.0.0.1:3000", table[1], StringComparison.Ordinal);
        Assert.Contains("1234.5", table[1], StringComparison.Ordinal); // MAX_PERF, the last column, is whole
        Assert.Contains("working 2", text, StringComparison.Ordinal);
        Assert.Contains("received 9", text, StringComparison.Ordinal);
        Assert.Contains("loadtime 4.25", text, StringComparison.Ordinal);
        var error = string.Join(' ', table.SkipWhile(l => !l.Contains("error_msg:", StringComparison.Ordinal)).TakeWhile(l => l.StartsWith("  ", StringComparison.Ordinal)).Select(l => l.Trim()));
        Assert.Contains("error_msg: " + LongError, error, StringComparison.Ordinal);
        Assert.Contains("status reports 1", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Table_ShowsTheLatestReportPerWorker_AndItsTotals()
    {
        await using var emulator = await StartAsync();
        await PostAsync(emulator, "/worker_status/", StatusBody("http://127.0.0.1:3001", loadtime: 1, curLoad: 1));
        await PostAsync(emulator, "/worker_status/", StatusBody("http://127.0.0.1:3001", loadtime: 1, curLoad: 42));
        emulator.Route("local");

        var table = ReportFormatter.FormatTable(emulator, width: 200);

        var row = Assert.Single(table, l => l.StartsWith("127.0.0.1:3001", StringComparison.Ordinal));
        Assert.Contains(" 42 ", row, StringComparison.Ordinal);
        Assert.Contains("ready", row, StringComparison.Ordinal);
        Assert.Contains(table, l => l.Contains("totals: reports 2, routes 1, served 500, rejected 4, deleted 0 ok/0 failed", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(80)]
    [InlineData(60)]
    [InlineData(40)]
    [InlineData(10)]
    public async Task Table_NeverWiderThanTheTerminal_LongWorkerUrlKeepsItsPort(int width)
    {
        await using var emulator = await StartAsync();
        await PostAsync(emulator, "/worker_status/", StatusBody("https://worker-with-a-rather-long-host-name.example.internal:41234", loadtime: 1, errorMsg: LongError));

        var table = ReportFormatter.FormatTable(emulator, width);

        Assert.All(table, line => Assert.True(line.Length <= Math.Max(width, TextLayout.MinimumWidth) - 1, $"{line.Length} columns: {line}"));
        if (width >= 80)
        {
            Assert.Contains(":41234", table[1], StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Table_StaleWorker_SaysSo()
    {
        var time = new FakeTimeProvider();
        await using var emulator = await StartAsync(o =>
        {
            o.TimeProvider = time;
            o.MinimumStaleAfter = TimeSpan.FromSeconds(3);
        });
        await PostAsync(emulator, "/worker_status/", StatusBody("http://127.0.0.1:3000", loadtime: 1));
        time.Advance(TimeSpan.FromSeconds(12));

        var table = ReportFormatter.FormatTable(emulator, width: 80);

        Assert.Contains("STALE", table[1], StringComparison.Ordinal);
        Assert.Contains("12.0s", table[1], StringComparison.Ordinal);
        Assert.Contains(table, l => l.Contains("no routes until it reports again", StringComparison.Ordinal));
        Assert.Contains(table, l => l.Contains("eligible workers 0 of 1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Table_RegisteredWorkerWithoutReports_Listed()
    {
        await using var emulator = await StartAsync(o => o.Workers.Add(new Uri("http://127.0.0.1:13000")));

        var table = ReportFormatter.FormatTable(emulator, width: 80);

        Assert.StartsWith("127.0.0.1:13000", table[1], StringComparison.Ordinal);
        Assert.Contains("unseen", table[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Table_NoWorkers_SaysSo()
    {
        await using var emulator = await StartAsync();

        var table = ReportFormatter.FormatTable(emulator, width: 80);

        Assert.Contains(table, l => l.StartsWith("(no worker", StringComparison.Ordinal));
    }

    [Fact]
    public async Task EventLines_WrapToTheWidth_UnderTheMessage()
    {
        await using var emulator = await StartAsync();
        await PostAsync(emulator, "/worker_status/", "{\"cur_load\": \"" + new string('x', 200) + "\"}");
        var rejected = Assert.Single(emulator.Events);

        var lines = ReportFormatter.FormatEvent(rejected, width: 80);

        Assert.True(lines.Count > 1);
        Assert.All(lines, l => Assert.True(l.Length <= 79, l));
        Assert.Matches(@"^\d\d:\d\d:\d\d\.\d\d\d rejected worker_status refused \(400\)", lines[0]);
        Assert.All(lines.Skip(1), l => Assert.StartsWith(new string(' ', 22), l, StringComparison.Ordinal));
    }

    [Fact]
    public void Wrap_SplitsOnSpaces_AndSplitsWordsWiderThanALine()
    {
        Assert.Equal(["aaa bbb", "  ccc"], TextLayout.Wrap("aaa bbb ccc", 7));
        Assert.Equal(["abcdefg", "  hijkl", "  mn"], TextLayout.Wrap("abcdefghijklmn", 7));
        Assert.Equal([""], TextLayout.Wrap("", 7));
    }

    [Fact]
    public void Fit_CutsWithAnEllipsis_FromEitherEnd()
    {
        Assert.Equal("abcd…", TextLayout.Fit("abcdefgh", 5));
        Assert.Equal("…efgh", TextLayout.FitLeft("abcdefgh", 5));
        Assert.Equal("abc", TextLayout.Fit("abc", 5));
    }
}
