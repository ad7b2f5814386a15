using Microsoft.Extensions.Time.Testing;
using Vespa.Emulator.Terminal;
using Vespa.Testing;
using static Vespa.Testing.EmulatorTestKit;

namespace Vespa.Emulator.Tests.Terminal;

/// <summary>What <c>emulate</c> prints while it runs: on a pipe one line per report and event, on a terminal the new
/// events scrolling above a redrawn worker table.</summary>
public sealed class EmulatorConsoleViewTests
{
    [Fact]
    public async Task Pipe_PrintsReportsAndEvents_RefusedRoutesAndMalformedReportsIncluded()
    {
        await using var emulator = await StartAsync();
        var output = new LockedWriter();
        using var stop = new CancellationTokenSource();
        var view = new EmulatorConsoleView(output, isTerminal: false, width: 80);
        var run = view.RunAsync(emulator, stop.Token);

        await PostAsync(emulator, "/worker_status/", StatusBody("http://127.0.0.1:3000", loadtime: 2));
        await RouteAsync(emulator, """{"endpoint": "local", "cost": 1}""", "wrong-key");
        await PostAsync(emulator, "/worker_status/", "{");
        await PostAsync(emulator, "/delete_requests/", """{"worker_id": 7, "request_idxs": [31], "success": true}""");
        await TaskTimeoutExtensions.WaitUntilAsync(() => output.ToString().Contains("delete_requests worker_id=7", StringComparison.Ordinal), "the delete line");
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run).DefaultTimeout();

        var text = output.ToString();
        Assert.Contains("worker_status http://127.0.0.1:3000 id=7 loadtime=2", text, StringComparison.Ordinal);
        Assert.Contains(" ready    http://127.0.0.1:3000 is ready", text, StringComparison.Ordinal);
        Assert.Contains(" no-route route refused (401): invalid API key for endpoint 'local'", text, StringComparison.Ordinal);
        Assert.Contains(" rejected worker_status refused (400)", text, StringComparison.Ordinal);
        Assert.Contains("[31:ok]", text, StringComparison.Ordinal);
        Assert.DoesNotContain(" deleted ", text, StringComparison.Ordinal); // the delete_requests line already lists them
        Assert.DoesNotContain("\u001b[", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Terminal_NewEventsScrollAboveTheTable_EachPrintedOnce()
    {
        var time = new FakeTimeProvider();
        await using var emulator = await StartAsync(o => o.TimeProvider = time);
        var output = new LockedWriter();
        using var stop = new CancellationTokenSource();
        var view = new EmulatorConsoleView(output, isTerminal: true, width: 80, time);
        await PostAsync(emulator, "/worker_status/", StatusBody("http://127.0.0.1:3000", loadtime: 2));

        var run = view.RunAsync(emulator, stop.Token);
        await TaskTimeoutExtensions.WaitUntilAsync(() => output.ToString().Contains("eligible workers", StringComparison.Ordinal), "the first frame");
        var first = output.ToString();
        var tableLines = ReportFormatter.FormatTable(emulator, width: 80).Count; // what the first frame drew
        emulator.Route("local");
        time.Advance(TimeSpan.FromSeconds(1));
        await TaskTimeoutExtensions.WaitUntilAsync(() => output.ToString().Contains("\u001b[", StringComparison.Ordinal), "the second frame");
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run).DefaultTimeout();

        var text = output.ToString();
        Assert.True(CountLines(text, "first report") == 1, text);
        Assert.True(CountLines(text, " route    route local request_idx 1 ") == 1, text);
        var second = text[first.Length..];
        Assert.StartsWith($"\u001b[{tableLines}F\u001b[J", second, StringComparison.Ordinal);
        Assert.Contains(" route ", second.Split('\n')[0], StringComparison.Ordinal); // the event first, then the table
        Assert.All(text.Split('\n'), l => Assert.True(l.Replace($"\u001b[{tableLines}F\u001b[J", "", StringComparison.Ordinal).Length <= 79, l));
    }

    [Fact]
    public async Task Frame_EventsDroppedFromTheLog_SaysHowMany()
    {
        await using var emulator = await StartAsync(o => o.MaxRecordedEvents = 2);
        for (var i = 0; i < 5; i++)
        {
            emulator.Route("local");
        }

        var view = new EmulatorConsoleView(TextWriter.Null, isTerminal: true, width: 80);
        var (events, _, last) = view.Frame(emulator, afterSequence: 1);

        Assert.Equal("(2 events dropped: the log keeps the last 2)", events[0]);
        Assert.Equal(5, last);
    }

    [Fact]
    public async Task Banner_PrintsTheEnvironmentOfEachRegisteredWorker_WithItsPort()
    {
        await using var emulator = await StartAsync(o =>
        {
            o.Workers.Add(new Uri("http://127.0.0.1:13000"));
            o.Workers.Add(new Uri("http://127.0.0.1:13001"));
        });
        var output = new StringWriter();

        await new EmulatorConsoleView(output, isTerminal: false, width: 80).WriteBannerAsync(emulator, new EmulatorOptions());

        var banner = output.ToString();
        Assert.Contains("Worker environment for http://127.0.0.1:13000:", banner, StringComparison.Ordinal);
        Assert.Contains("CONTAINER_ID=1 MASTER_TOKEN=local-master-token PUBLIC_IPADDR=127.0.0.1 VESPA_WORKER_PORT=13000 VAST_TCP_PORT_13000=13000 VESPA_HOST=127.0.0.1", banner, StringComparison.Ordinal);
        Assert.Contains("CONTAINER_ID=2 MASTER_TOKEN=local-master-token PUBLIC_IPADDR=127.0.0.1 VESPA_WORKER_PORT=13001 VAST_TCP_PORT_13001=13001", banner, StringComparison.Ordinal);
        Assert.DoesNotContain("VAST_TCP_PORT_3000", banner, StringComparison.Ordinal);
        Assert.Contains("REPORT_ADDR=" + emulator.BaseUrl.OriginalString, banner, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Banner_NoWorkerRegistered_PrintsTheDefaultWorkersEnvironment()
    {
        await using var emulator = await StartAsync();
        var output = new StringWriter();

        await new EmulatorConsoleView(output, isTerminal: false, width: 80).WriteBannerAsync(emulator, new EmulatorOptions());

        Assert.Contains("PUBLIC_IPADDR=127.0.0.1 VAST_TCP_PORT_3000=3000 VESPA_HOST=127.0.0.1", output.ToString(), StringComparison.Ordinal);
    }

    private static int CountLines(string text, string fragment) =>
        text.Split('\n').Count(l => l.Contains(fragment, StringComparison.Ordinal));

    /// <summary>A StringWriter safe to read while the view writes from another thread.</summary>
    private sealed class LockedWriter : StringWriter
    {
        private readonly Lock _lock = new();

        public override void Write(char value)
        {
            lock (_lock)
            {
                base.Write(value);
            }
        }

        public override void Write(string? value)
        {
            lock (_lock)
            {
                base.Write(value);
            }
        }

        public override Task WriteAsync(string? value)
        {
            Write(value);
            return Task.CompletedTask;
        }

        public override Task WriteLineAsync(string? value)
        {
            Write(value + NewLine);
            return Task.CompletedTask;
        }

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public override string ToString()
        {
            lock (_lock)
            {
                return base.ToString();
            }
        }
    }
}
