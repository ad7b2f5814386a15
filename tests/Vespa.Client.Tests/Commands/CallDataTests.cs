using System.Text;
using System.Text.Json;
using Vespa.Client.Tests.Infrastructure;
using Vespa.Emulator;
using Vespa.Testing;

namespace Vespa.Client.Tests.Commands;

/// <summary>
/// Issue 11 item 12: <c>--data</c> that should be JSON and is not fails locally (exit 2, with the position) and
/// nothing is routed; <c>--stream</c> with a JSON object body that lacks <c>"stream"</c> adds <c>"stream": true</c>
/// and says so, and leaves an explicit <c>"stream": false</c> alone with a warning.
/// </summary>
public sealed class CallDataTests : IAsyncLifetime
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

    [Fact]
    public async Task Data_NotJson_Exit2_WithThePosition_NothingRouted()
    {
        var run = await Cli.RunAsync(Cli.Against(_emulator, "call", "POST", "/v1/chat/completions", "--data", """{"model": "m", messages: []}"""));

        Assert.Equal(ExitCodes.Usage, run.Exit);
        Assert.Equal(
            "vespa-client call: --data is not valid JSON: 'm' is an invalid start of a property name. Expected a '\"' (line 1, column 16). "
            + "Nothing was sent; for a body that is not JSON, pass --content-type.\n",
            run.Error);
        Assert.Equal(0, _emulator.GetAcceptedCount(EmulatorOperation.Route));
        Assert.Equal(0, _worker.Calls);
    }

    [Fact]
    public async Task Data_Truncated_Exit2_PositionOnTheLastLine()
    {
        var run = await Cli.RunAsync(Cli.Against(_emulator, "call", "POST", "/v1/x", "--data", "{\n  \"a\": [1, 2\n"));

        Assert.Equal(ExitCodes.Usage, run.Exit);
        Assert.StartsWith("vespa-client call: --data is not valid JSON: ", run.Error, StringComparison.Ordinal);
        Assert.Contains("(line 3, column 1)", run.Error, StringComparison.Ordinal);
        Assert.Equal(0, _emulator.GetAcceptedCount(EmulatorOperation.Route));
    }

    [Fact]
    public async Task StandardInput_NotJson_Exit2()
    {
        var run = await Cli.RunAsync(Cli.Services(), "hello", interactive: false, CancellationToken.None, Cli.Against(_emulator, "call", "POST", "/v1/x", "--data", "-"));

        Assert.Equal(ExitCodes.Usage, run.Exit);
        Assert.StartsWith("vespa-client call: --data - (standard input) is not valid JSON: ", run.Error, StringComparison.Ordinal);
        Assert.Equal(0, _emulator.GetAcceptedCount(EmulatorOperation.Route));
    }

    [Fact]
    public async Task JsonFile_NotJson_Exit2_NamesTheFile()
    {
        var file = Path.Combine(Cli.TempDirectory(), "body.json");
        await File.WriteAllTextAsync(file, "{\"a\": 1,}");

        var run = await Cli.RunAsync(Cli.Against(_emulator, "call", "POST", "/v1/x", "--data", "@" + file));

        Assert.Equal(ExitCodes.Usage, run.Exit);
        Assert.StartsWith($"vespa-client call: --data @{file} is not valid JSON: ", run.Error, StringComparison.Ordinal);
        Assert.Contains("(line 1, column 9)", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task JsonContentType_NotJson_Exit2()
    {
        var run = await Cli.RunAsync(Cli.Against(_emulator, "call", "POST", "/v1/x", "--data", "x=1", "--content-type", "application/vnd.api+json"));

        Assert.Equal(ExitCodes.Usage, run.Exit);
        Assert.Equal(0, _worker.Calls);
    }

    [Fact]
    public async Task NotJson_WithAnotherContentType_SentAsItIs()
    {
        var run = await Cli.RunAsync(Cli.Against(_emulator, "call", "POST", "/v1/x", "--data", "hello", "--content-type", "text/plain"));

        Assert.Equal(ExitCodes.Success, run.Exit);
        var request = Assert.Single(_worker.Requests);
        Assert.Equal("hello", Encoding.UTF8.GetString(request.Body));
        Assert.Equal("text/plain", request.Headers["Content-Type"]);
    }

    [Fact]
    public async Task Stream_ObjectWithoutStream_AddsStreamTrue_SaysSo()
    {
        _worker.Enqueue(WorkerResponses.ChatStream("hi"));

        var run = await Cli.RunAsync(Cli.Against(_emulator, "call", "POST", "/v1/chat/completions", "--stream", "--data", """{"model": "m", "messages": []}"""));

        Assert.Equal(ExitCodes.Success, run.Exit);
        Assert.Equal("hi\n", run.Output);
        Assert.Equal("vespa-client call: --stream: added \"stream\": true to the JSON body, so that the backend streams its answer.\n", run.Error);
        using var envelope = JsonDocument.Parse(Assert.Single(_worker.Requests).Body);
        Assert.Equal("""{"model": "m", "messages": [], "stream": true}""", envelope.RootElement.GetProperty("payload").GetRawText());
    }

    [Fact]
    public async Task Stream_StreamFalse_KeptAsSent_Warned()
    {
        var run = await Cli.RunAsync(Cli.Against(_emulator, "call", "POST", "/v1/chat/completions", "--stream", "--data", """{"stream": false}"""));

        Assert.Equal(ExitCodes.Success, run.Exit);
        Assert.Equal("vespa-client call: --stream: the body says \"stream\": false, so the backend may answer in one piece; it is sent as it is.\n", run.Error);
        using var envelope = JsonDocument.Parse(Assert.Single(_worker.Requests).Body);
        Assert.Equal("""{"stream": false}""", envelope.RootElement.GetProperty("payload").GetRawText());
    }

    [Fact]
    public async Task Stream_StreamTrueAlready_NothingSaid()
    {
        var run = await Cli.RunAsync(Cli.Against(_emulator, "call", "POST", "/v1/chat/completions", "--stream", "--data", """{"stream": true}"""));

        Assert.Equal(ExitCodes.Success, run.Exit);
        Assert.Equal("", run.Error);
    }
}
