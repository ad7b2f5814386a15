using System.Text;
using System.Text.Json;
using Vespa.Client.Tests.Infrastructure;
using Vespa.Core.Envelopes;
using Vespa.Core.Signatures;
using Vespa.Emulator;
using Vespa.Testing;

namespace Vespa.Client.Tests.Commands;

/// <summary><c>vespa-client call</c> against the emulator and a scripted worker: what the worker receives in each
/// form, and what is printed.</summary>
public sealed class CallCommandTests : IAsyncLifetime
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
    public async Task Post_JsonData_SentInSignedEnvelope_PayloadVerbatim_Printed()
    {
        const string Payload = """{ "messages": [{"role": "user", "content": "hi"}], "n": 1.50 }""";

        var run = await Cli.RunAsync(Cli.Against(_emulator, "call", "POST", "/v1/chat/completions?x=1", "--data", Payload, "--cost", "42"));

        Assert.Equal(ExitCodes.Success, run.Exit);
        var request = Assert.Single(_worker.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/v1/chat/completions", request.Path);
        Assert.Equal("?x=1", request.QueryString);
        Assert.Equal("application/json", request.Headers["Content-Type"]);
        using var envelope = JsonDocument.Parse(request.Body);
        Assert.Equal(["auth_data", "session_id", "payload"], envelope.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal(Payload, envelope.RootElement.GetProperty("payload").GetRawText());
        Assert.True(AuthData.TryFromJson(envelope.RootElement.GetProperty("auth_data"), out var auth, out _));
        Assert.Equal(_worker.Url, auth!.UrlText);
        Assert.Equal(42, auth.CostValue);
        Assert.Equal("local", auth.EndpointText);
        Assert.True(Verify(auth));
        Assert.Contains("\"payload\": " + Payload, run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_UsesQueryForm_KeepsOwnQuery()
    {
        var run = await Cli.RunAsync(Cli.Against(_emulator, "call", "get", "/v1/models?limit=2&api_key=mine"));

        Assert.Equal(ExitCodes.Success, run.Exit);
        var request = Assert.Single(_worker.Requests);
        Assert.Equal("GET", request.Method);
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(request.QueryString);
        var auth = AuthData.FromQuery(query["serverless_cost"], query["serverless_endpoint"], query["serverless_reqnum"], query["serverless_request_idx"],
            query["serverless_signature"], query["serverless_url"], request.Path);
        Assert.True(Verify(auth));
        Assert.Equal("2", query["limit"]);
        Assert.False(query.ContainsKey("api_key"));
        Assert.Empty(request.Body);
    }

    [Fact]
    public async Task Delete_WithBody_QueryForm_BodyAsIs()
    {
        var run = await Cli.RunAsync(Cli.Against(_emulator, "call", "DELETE", "/v1/files/1", "--data", "{\"why\":\"done\"}"));

        Assert.Equal(ExitCodes.Success, run.Exit);
        var request = Assert.Single(_worker.Requests);
        Assert.Contains("serverless_signature=", request.QueryString, StringComparison.Ordinal);
        Assert.Equal("{\"why\":\"done\"}", Encoding.UTF8.GetString(request.Body));
    }

    [Fact]
    public async Task Post_BinaryFile_RawBodyWithAuthHeader()
    {
        var file = Path.Combine(Cli.TempDirectory(), "audio.bin");
        var bytes = FakeBackend.BinaryPattern(70_000);
        await File.WriteAllBytesAsync(file, bytes);

        var run = await Cli.RunAsync(Cli.Against(_emulator, "call", "POST", "/v1/audio/transcriptions", "--data", "@" + file));

        Assert.Equal(ExitCodes.Success, run.Exit);
        var request = Assert.Single(_worker.Requests);
        Assert.Equal(bytes, request.Body);
        Assert.Equal("application/octet-stream", request.Headers["Content-Type"]);
        using var header = JsonDocument.Parse(request.Headers["X-Vespa-Auth-Data"]);
        Assert.True(AuthData.TryFromJson(header.RootElement, out var auth, out _));
        Assert.True(Verify(auth!));
        Assert.DoesNotContain("serverless_", request.QueryString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_Multipart_WithContentType_RawBodyWithAuthHeader()
    {
        const string Multipart = "--b\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nx\r\n--b--\r\n";

        var run = await Cli.RunAsync(Cli.Against(_emulator, "call", "POST", "/upload", "--data", Multipart, "--content-type", "multipart/form-data; boundary=b"));

        Assert.Equal(ExitCodes.Success, run.Exit);
        var request = Assert.Single(_worker.Requests);
        Assert.Equal(Multipart, Encoding.UTF8.GetString(request.Body));
        Assert.Equal("multipart/form-data; boundary=b", request.Headers["Content-Type"]);
        Assert.True(request.Headers.ContainsKey("X-Vespa-Auth-Data"));
    }

    [Fact]
    public async Task Data_FromStandardInput()
    {
        var run = await Cli.RunAsync(Cli.Services(), "{\"from\": \"stdin\"}", interactive: false, CancellationToken.None,
            Cli.Against(_emulator, "call", "PUT", "/thing", "--data", "-"));

        Assert.Equal(ExitCodes.Success, run.Exit);
        using var envelope = JsonDocument.Parse(Assert.Single(_worker.Requests).Body);
        Assert.Equal("stdin", envelope.RootElement.GetProperty("payload").GetProperty("from").GetString());
    }

    [Fact]
    public async Task Keys_NeverReachTheWorker()
    {
        var environment = Cli.Environment(("VAST_API_KEY", "local-account-key"));

        var run = await Cli.RunAsync(Cli.Services(environment), "call", "POST", "/v1/x", "--data", "{}", "-H", "X-Trace: 1",
            "--autoscaler-url", _emulator.BaseUrl.OriginalString, "--console-url", _emulator.BaseUrl.OriginalString, "--endpoint", "local");

        Assert.Equal(ExitCodes.Success, run.Exit);
        var request = Assert.Single(_worker.Requests);
        var everything = request.Method + request.Path + request.QueryString + string.Join("\n", request.Headers.Select(h => h.Key + ": " + h.Value)) + Encoding.UTF8.GetString(request.Body);
        Assert.DoesNotContain("local-endpoint-key", everything, StringComparison.Ordinal);
        Assert.DoesNotContain("local-account-key", everything, StringComparison.Ordinal);
        Assert.False(request.Headers.ContainsKey("Authorization"));
        Assert.Equal("1", request.Headers["X-Trace"]);
    }

    [Fact]
    public async Task Stream_OpenAiChunks_PrintsTokens()
    {
        _worker.Enqueue(WorkerResponses.ChatStream("Hello", ", ", "world"));

        var run = await Cli.RunAsync(Cli.Against(_emulator, "call", "POST", "/v1/chat/completions", "--data", "{\"stream\": true}", "--stream"));

        Assert.Equal(ExitCodes.Success, run.Exit);
        Assert.Equal("Hello, world\n", run.Output);
    }

    [Fact]
    public async Task Stream_NonOpenAiEvents_PrintsDataLines()
    {
        _worker.Enqueue(WorkerResponses.Sse("first", "{\"other\": 1}"));

        var run = await Cli.RunAsync(Cli.Against(_emulator, "call", "POST", "/events", "--data", "{}", "--stream"));

        Assert.Equal(ExitCodes.Success, run.Exit);
        Assert.Equal("first\n{\"other\": 1}\n", run.Output);
    }

    [Fact]
    public async Task Stream_Raw_PrintsBytesUnchanged()
    {
        _worker.Enqueue(WorkerResponses.ChatStream("a", "b"));

        var run = await Cli.RunAsync(Cli.Against(_emulator, "call", "POST", "/v1/chat/completions", "--data", "{}", "--stream", "--raw"));

        Assert.Equal(ExitCodes.Success, run.Exit);
        var text = Encoding.UTF8.GetString(run.OutputBytes);
        Assert.StartsWith("data: {\"id\":\"c1\"", text, StringComparison.Ordinal);
        Assert.EndsWith("data: [DONE]\n\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Raw_BinaryAnswer_BytesUnchanged()
    {
        var bytes = FakeBackend.BinaryPattern(5000);
        _worker.Enqueue(WorkerResponses.Bytes(bytes, "image/png"));

        var run = await Cli.RunAsync(Cli.Against(_emulator, "call", "POST", "/image", "--data", "{}", "--raw"));

        Assert.Equal(ExitCodes.Success, run.Exit);
        Assert.Equal(bytes, run.OutputBytes);
    }

    [Fact]
    public async Task Json_SummaryWithParsedBody()
    {
        var run = await Cli.RunAsync(Cli.Against(_emulator, "call", "POST", "/v1/x", "--data", "{\"q\": 1}", "--json"));

        Assert.Equal(ExitCodes.Success, run.Exit);
        using var summary = JsonDocument.Parse(run.Output);
        var root = summary.RootElement;
        Assert.Equal(200, root.GetProperty("status").GetInt32());
        Assert.True(root.GetProperty("ok").GetBoolean());
        Assert.Equal(_worker.Url, root.GetProperty("worker").GetString());
        Assert.Equal(1, root.GetProperty("worker_calls").GetInt32());
        Assert.True(root.GetProperty("request_idx").GetInt64() > 0);
        Assert.Equal(1, root.GetProperty("body").GetProperty("payload").GetProperty("q").GetInt32());
    }

    [Fact]
    public async Task Json_Stream_OneLinePerEventThenSummary()
    {
        _worker.Enqueue(WorkerResponses.ChatStream("x"));

        var run = await Cli.RunAsync(Cli.Against(_emulator, "call", "POST", "/v1/chat/completions", "--data", "{}", "--stream", "--json"));

        Assert.Equal(ExitCodes.Success, run.Exit);
        var lines = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        Assert.Equal("x", JsonDocument.Parse(lines[1]).RootElement.GetProperty("choices")[0].GetProperty("delta").GetProperty("content").GetString());
        Assert.Equal(4, JsonDocument.Parse(lines[3]).RootElement.GetProperty("events").GetInt32());
    }

    private bool Verify(AuthData auth)
    {
        using var verifier = EnvelopeVerifier.FromPublicKey(_emulator.PublicKeyPem);
        return verifier.Verify(auth, SignatureScheme.Url).IsValid;
    }
}
