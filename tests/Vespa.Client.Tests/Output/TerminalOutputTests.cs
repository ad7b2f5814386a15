using System.Text;
using Microsoft.AspNetCore.Http;
using Vespa.Client.Output;
using Vespa.Client.Tests.Infrastructure;
using Vespa.Emulator;
using Vespa.Testing;

namespace Vespa.Client.Tests.Output;

/// <summary>
/// Issue 11 item 13: on a terminal, what a worker sends is shown, not obeyed: C0/C1 control characters (except line
/// feed and tab; CR only in CRLF) are escaped, and JSON answers are indented. Pipes get the bytes as sent.
/// </summary>
public sealed class TerminalOutputTests : IAsyncLifetime
{
    private AutoscalerEmulator _emulator = null!;
    private ScriptedWorker _worker = null!;

    public async Task InitializeAsync()
    {
        _worker = await ScriptedWorker.StartAsync();
        _emulator = await EmulatorTestKit.StartAsync(o => o.Workers.Add(_worker.BaseUrl));
    }

    public async Task DisposeAsync()
    {
        await _emulator.DisposeAsync();
        await _worker.DisposeAsync();
    }

    /// <summary>Standard output is a terminal (the endpoint and key are given, so nothing is asked).</summary>
    private Task<CliRun> OnATerminal(params string[] args) =>
        Cli.RunAsync(Cli.Services(), null, interactive: true, CancellationToken.None, Cli.Against(_emulator, args));

    [Fact]
    public async Task StreamedTokens_ControlCharactersEscaped()
    {
        _worker.Enqueue(WorkerResponses.ChatStream("red \u001b[31malert\u001b[0m", "\u001a\u0012", " \u009b2J\u007f", "\ttab ok\r\n"));

        var run = await OnATerminal("call", "POST", "/v1/chat/completions", "--stream", "--data", """{"stream": true}""");

        Assert.Equal(ExitCodes.Success, run.Exit);
        Assert.Equal("red \\x1b[31malert\\x1b[0m\\x1a\\x12 \\u009b2J\\x7f\ttab ok\r\n", run.Output);
    }

    [Fact]
    public async Task StreamedTokens_ToAPipe_Unchanged()
    {
        _worker.Enqueue(WorkerResponses.ChatStream("red \u001b[31malert\u001b[0m", "\u001a"));

        var run = await Cli.RunAsync(Cli.Against(_emulator, "call", "POST", "/v1/chat/completions", "--stream", "--data", """{"stream": true}"""));

        Assert.Equal(ExitCodes.Success, run.Exit);
        Assert.Equal("red \u001b[31malert\u001b[0m\u001a\n", run.Output);
    }

    [Fact]
    public async Task StreamedText_LoneCarriageReturnEscaped_AcrossChunks()
    {
        _worker.Enqueue(async context =>
        {
            context.Response.ContentType = "text/plain";
            await context.Response.WriteAsync("line one\r");
            await context.Response.Body.FlushAsync();
            await context.Response.WriteAsync("\nover\rwrite\u001b]0;title\u0007");
        });

        var run = await OnATerminal("call", "GET", "/log", "--stream");

        Assert.Equal(ExitCodes.Success, run.Exit);
        Assert.Equal("line one\r\nover\\x0dwrite\\x1b]0;title\\x07\n", run.Output);
    }

    [Fact]
    public async Task JsonAnswer_OnATerminal_Indented_EscapesKept()
    {
        _worker.Enqueue(WorkerResponses.Json("""{"a":1,"b":[1,2.50],"s":"x\u001by","e":{}}"""));

        var run = await OnATerminal("call", "GET", "/v1/x");

        Assert.Equal(ExitCodes.Success, run.Exit);
        Assert.Equal("{\n  \"a\": 1,\n  \"b\": [\n    1,\n    2.50\n  ],\n  \"s\": \"x\\u001By\",\n  \"e\": {}\n}\n", run.Output);
    }

    [Fact]
    public async Task JsonAnswer_ToAPipe_AsSent()
    {
        _worker.Enqueue(WorkerResponses.Json("""{"a":1,"b":[1,2]}"""));

        var run = await Cli.RunAsync(Cli.Against(_emulator, "call", "GET", "/v1/x"));

        Assert.Equal("{\"a\":1,\"b\":[1,2]}\n", run.Output);
    }

    [Fact]
    public async Task TextAnswer_OnATerminal_Escaped()
    {
        _worker.Enqueue(WorkerResponses.Bytes(Encoding.UTF8.GetBytes("ok\u001b[2Jdone\u0085"), "text/plain; charset=utf-8"));

        var run = await OnATerminal("call", "GET", "/v1/x");

        Assert.Equal("ok\\x1b[2Jdone\\u0085\n", run.Output);
    }

    [Fact]
    public async Task ErrorAnswer_OnATerminal_IndentedToo_Exit6()
    {
        _worker.Enqueue(WorkerResponses.Json("""{"error":"bad \u001b[31m"}""", 400));

        var run = await OnATerminal("call", "GET", "/v1/x");

        Assert.Equal(ExitCodes.HttpError, run.Exit);
        Assert.Equal("{\n  \"error\": \"bad \\u001B[31m\"\n}\n", run.Output);
    }

    [Fact]
    public async Task RawMode_OnATerminal_BytesUnchanged()
    {
        _worker.Enqueue(WorkerResponses.Bytes(Encoding.UTF8.GetBytes("a\u001bb"), "text/plain"));

        var run = await OnATerminal("call", "GET", "/v1/x", "--raw");

        Assert.Equal("a\u001bb", Encoding.UTF8.GetString(run.OutputBytes));
    }

    [Theory]
    [InlineData("plain text\n", "plain text\n")]
    [InlineData("tab\tand CRLF\r\n", "tab\tand CRLF\r\n")]
    [InlineData("\u0000\u0008\u001f", "\\x00\\x08\\x1f")]
    [InlineData("lone\r", "lone\\x0d")]
    [InlineData("\u0080\u009f\u00a0é", "\\u0080\\u009f\u00a0é")]
    public void Sanitize(string text, string shown) => Assert.Equal(shown, TerminalText.Sanitize(text));

    [Fact]
    public void Sanitize_CrlfSplitAcrossPieces_Kept()
    {
        var text = new TerminalText();

        Assert.Equal("a", text.Push("a\r"));
        Assert.Equal("\r\nb", text.Push("\nb"));
        Assert.Equal("", text.Flush());
    }
}
