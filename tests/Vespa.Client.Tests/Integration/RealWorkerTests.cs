using System.ClientModel;
using System.Text;
using OpenAI;
using OpenAI.Chat;
using Vespa.Client.Tests.Infrastructure;
using Vespa.Testing;

namespace Vespa.Client.Tests.Integration;

/// <summary>
/// The client against the real, secured vespa-worker (signatures checked with the emulator's key) in front of an
/// OpenAI-speaking backend: every form the client sends is accepted, and the OpenAI .NET SDK works through the proxy.
/// </summary>
public sealed class RealWorkerTests(RealWorkerFixture fixture) : IClassFixture<RealWorkerFixture>
{
    [Fact]
    public async Task Call_JsonEnvelope_WorkerVerifiesAndUnwraps()
    {
        const string Payload = """{"echo": [1, 2.50, "three"]}""";

        var run = await Cli.RunAsync(Cli.Against(fixture.Emulator, "call", "POST", "/echo/json", "--data", Payload));

        Assert.Equal(ExitCodes.Success, run.Exit);
        Assert.Equal(Payload + "\n", run.Output);
        var received = fixture.Backend.Requests.Last(r => r.Path == "/echo/json");
        Assert.Equal(Payload, Encoding.UTF8.GetString(received.Body));
    }

    [Fact]
    public async Task Call_GetQueryForm_WorkerStripsTheAuthParameters()
    {
        var run = await Cli.RunAsync(Cli.Against(fixture.Emulator, "call", "GET", "/echo/get?x=1&y=two"));

        Assert.Equal(ExitCodes.Success, run.Exit);
        var received = fixture.Backend.Requests.Last(r => r.Path == "/echo/get");
        Assert.Equal("GET", received.Method);
        Assert.Equal("?x=1&y=two", received.QueryString);
    }

    [Fact]
    public async Task Call_BinaryHeaderForm_BackendGetsTheBytes()
    {
        var file = Path.Combine(Cli.TempDirectory(), "blob.bin");
        var bytes = FakeBackend.BinaryPattern(100_000);
        await File.WriteAllBytesAsync(file, bytes);

        var run = await Cli.RunAsync(Cli.Against(fixture.Emulator, "call", "POST", "/echo/binary", "--data", "@" + file, "--raw"));

        Assert.Equal(ExitCodes.Success, run.Exit);
        Assert.Equal(bytes, fixture.Backend.Requests.Last(r => r.Path == "/echo/binary").Body);
        Assert.False(fixture.Backend.Requests.Last(r => r.Path == "/echo/binary").Headers.ContainsKey("X-Vespa-Auth-Data"));
        Assert.Equal(bytes, run.OutputBytes);
    }

    [Fact]
    public async Task Call_Stream_PrintsTokens()
    {
        var run = await Cli.RunAsync(Cli.Against(fixture.Emulator, "call", "POST", "/v1/chat/completions", "--stream",
            "--data", """{"model": "test", "stream": true, "messages": [{"role": "user", "content": "one two three"}]}"""));

        Assert.Equal(ExitCodes.Success, run.Exit);
        Assert.Equal("three two one\n", run.Output);
    }

    [Fact]
    public async Task Proxy_OpenAiSdk_ChatAndStreaming()
    {
        await using var proxy = await ProxyHost.StartAsync(fixture.Emulator);
        using var timeout = new CancellationTokenSource(TaskTimeoutExtensions.Timeout);
        var client = new OpenAIClient(new ApiKeyCredential("sdk-key-not-sent-on"), new OpenAIClientOptions { Endpoint = new Uri(proxy.BaseUrl, "/v1") });
        var chat = client.GetChatClient("test");

        ChatCompletion completion = await chat.CompleteChatAsync([new UserChatMessage("hello brave new world")], cancellationToken: timeout.Token).DefaultTimeout();
        var streamed = new StringBuilder();
        var updates = 0;
        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("tokens arrive one by one")], cancellationToken: timeout.Token))
        {
            updates++;
            foreach (var part in update.ContentUpdate)
            {
                streamed.Append(part.Text);
            }
        }

        Assert.Equal("world new brave hello", completion.Content[0].Text);
        Assert.Equal("one by one arrive tokens", streamed.ToString());
        Assert.True(updates >= 5);
        var sdkRequests = fixture.Backend.Requests.Where(r => r.Path == "/v1/chat/completions").ToList();
        Assert.All(sdkRequests, r => Assert.False(r.Headers.ContainsKey("Authorization")));
    }
}
