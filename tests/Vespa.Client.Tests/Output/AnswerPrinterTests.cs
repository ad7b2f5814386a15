using System.Text;
using Microsoft.Extensions.Time.Testing;
using Vespa.Client.Output;
using Vespa.Testing;

namespace Vespa.Client.Tests.Output;

public sealed class AnswerPrinterTests : IDisposable
{
    private readonly LockedStringWriter _output = new();
    private readonly MemoryStream _bytes = new();

    [Fact]
    public async Task Sse_ChatAndCompletionChunks_TokensOnly_SplitAnywhere()
    {
        const string Stream = "data: {\"choices\":[{\"delta\":{\"role\":\"assistant\"}}]}\r\n\r\n"
            + ": keep-alive comment\n\n"
            + "event: message\ndata: {\"choices\":[{\"delta\":{\"content\":\"Héllo\"}}]}\n\n"
            + "data: {\"choices\":[{\"text\":\" wörld\",\"index\":0}]}\n\n"
            + "data: {\"choices\":[],\"usage\":{\"total_tokens\":3}}\n\n"
            + "data: [DONE]\n\n";

        var report = await PrintInPiecesAsync(Stream, "text/event-stream", OutputMode.Text, pieceSize: 3);

        Assert.Equal("Héllo wörld\n", _output.ToString());
        Assert.Null(report.Failure);
        Assert.Equal(5, report.Events);
    }

    [Fact]
    public async Task Sse_MultiLineData_JoinedAndPrinted_LastEventWithoutBlankLine()
    {
        await PrintInPiecesAsync("data: line one\ndata: line two\n\ndata: tail", "text/event-stream", OutputMode.Text, pieceSize: 5);

        Assert.Equal("line one\nline two\ntail\n", _output.ToString());
    }

    [Fact]
    public async Task NdJson_OpenAiAndOtherLines()
    {
        await PrintInPiecesAsync("{\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n{\"response\":\"b\"}\n\n", "application/x-ndjson", OutputMode.Text, pieceSize: 7);

        Assert.Equal("a{\"response\":\"b\"}\n", _output.ToString());
    }

    [Fact]
    public async Task Json_OneCompactLinePerEvent()
    {
        await PrintInPiecesAsync("data: {\"a\": 1,\ndata: \"b\": 2}\n\ndata: plain text\n\ndata: [DONE]\n\n", "text/event-stream", OutputMode.Json, pieceSize: 4);

        Assert.Equal("{\"a\":1,\"b\":2}\n\"plain text\"\n", _output.ToString());
    }

    [Fact]
    public async Task Raw_BytesUnchanged()
    {
        var report = await PrintInPiecesAsync("data: x\r\n\r\n", "text/event-stream", OutputMode.Raw, pieceSize: 2);

        Assert.Equal("data: x\r\n\r\n", Encoding.UTF8.GetString(_bytes.ToArray()));
        Assert.Equal(11, report.Bytes);
    }

    [Fact]
    public async Task PlainText_Stream_Shown()
    {
        await PrintInPiecesAsync("no events here", "text/plain", OutputMode.Text, pieceSize: 4);

        Assert.Equal("no events here\n", Encoding.UTF8.GetString(_bytes.ToArray()));
    }

    [Fact]
    public async Task BrokenStream_ReportsWhatWasShown()
    {
        var printer = new AnswerPrinter(Console(), TimeProvider.System);

        var report = await printer.StreamAsync("text/event-stream", Encoding.UTF8.GetBytes("data: {\"choices\":[{\"delta\":{\"content\":\"x\"}}]}\n\n"),
            new BreakingStream(), OutputMode.Text, TimeSpan.FromSeconds(5), CancellationToken.None).DefaultTimeout();

        Assert.NotNull(report.Failure);
        Assert.Equal("x\n", _output.ToString());
    }

    [Fact]
    public async Task SilentStream_IdleTimeout()
    {
        var time = new FakeTimeProvider();
        var printer = new AnswerPrinter(Console(), time);
        var silent = new SilentStream();

        var printing = printer.StreamAsync("text/event-stream", default, silent, OutputMode.Text, TimeSpan.FromSeconds(30), CancellationToken.None);
        await silent.Reading.Task.DefaultTimeout();
        time.Advance(TimeSpan.FromSeconds(31));
        var report = await printing.DefaultTimeout();

        Assert.Contains("no data for 30s", report.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Body_TextGetsAFinalNewline_BinaryOnATerminalIsNotShown()
    {
        var printer = new AnswerPrinter(Console(), TimeProvider.System);
        await printer.PrintBodyAsync("application/json", Encoding.UTF8.GetBytes("{}"), OutputMode.Text).DefaultTimeout();
        var error = new LockedStringWriter();
        var terminal = new AnswerPrinter(new CliConsole(_output, error, isTerminal: true) { OutputStream = _bytes }, TimeProvider.System);
        await terminal.PrintBodyAsync("image/png", [1, 2, 3], OutputMode.Text).DefaultTimeout();

        Assert.Equal("{}\n", _output.ToString());
        Assert.Empty(_bytes.ToArray());
        Assert.Contains("3-byte image/png answer", error.ToString(), StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _output.Dispose();
        _bytes.Dispose();
    }

    private CliConsole Console() => new(_output, TextWriter.Null, isTerminal: false) { OutputStream = new TeeBytes(_bytes, _output) };

    private async Task<StreamReport> PrintInPiecesAsync(string text, string mediaType, OutputMode mode, int pieceSize)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var printer = new AnswerPrinter(Console(), TimeProvider.System);
        return await printer.StreamAsync(mediaType, bytes.AsMemory(0, pieceSize), new TrickleStream(bytes[pieceSize..], pieceSize), mode, TimeSpan.FromSeconds(5), CancellationToken.None).DefaultTimeout();
    }

    /// <summary>Returns its bytes a few at a time.</summary>
    private sealed class TrickleStream(byte[] data, int pieceSize) : MemoryStream(data)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, pieceSize)], cancellationToken);
    }

    private sealed class BreakingStream : MemoryStream
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromException<int>(new IOException("connection reset"));
    }

    private sealed class SilentStream : MemoryStream
    {
        public TaskCompletionSource Reading { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Reading.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return 0;
        }
    }

    /// <summary>Keeps bytes and shows them as text, like the test console's standard output.</summary>
    private sealed class TeeBytes(MemoryStream bytes, TextWriter text) : MemoryStream
    {
        public override void Write(byte[] buffer, int offset, int count)
        {
            bytes.Write(buffer, offset, count);
            text.Write(Encoding.UTF8.GetString(buffer, offset, count));
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Write(buffer.ToArray(), 0, buffer.Length);
            return ValueTask.CompletedTask;
        }
    }
}
