using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Vespa.Testing;

namespace Vespa.Worker.Tests.Integration;

/// <summary>Local development mode: pass-through, and the guarantee that nothing reaches another host.</summary>
public sealed class UnsecuredProxyTests : IAsyncLifetime
{
    private FakeBackend _backend = null!;
    private LoopbackServer _otherHost = null!;
    private TestWorker _worker = null!;
    private int _otherHostHits;

    public async Task InitializeAsync()
    {
        _backend = await FakeBackend.StartAsync();
        _otherHost = await LoopbackServer.StartAsync(app => app.Run(context =>
        {
            Interlocked.Increment(ref _otherHostHits);
            return context.Response.WriteAsync("other host");
        }));
        _worker = await TestWorker.StartAsync(_backend.BaseUrl);
    }

    public async Task DisposeAsync()
    {
        await _worker.DisposeAsync();
        await _otherHost.DisposeAsync();
        await _backend.DisposeAsync();
    }

    [Fact]
    public void Options_NoVastVariables_UnsecuredOnLoopback()
    {
        Assert.True(_worker.Options.Unsecured);
        Assert.Equal(IPAddress.Loopback.ToString(), _worker.BaseUrl.Host);
    }

    [Fact]
    public async Task Post_BodyWithoutAuthData_ForwardedAsIs()
    {
        var body = Encoding.UTF8.GetBytes("""{"model":"m","messages":[]}""");
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new("application/json");

        using var response = await _worker.Client.PostAsync("/v1/chat/completions?x=1", content).DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var forwarded = _backend.Requests.Single(r => r.Path == "/v1/chat/completions");
        Assert.Equal(body, forwarded.Body);
        Assert.Equal("?x=1", forwarded.QueryString);
    }

    [Fact]
    public async Task Post_NonJsonBody_ForwardedAsIs()
    {
        var body = FakeBackend.BinaryPattern(3000);
        using var response = await _worker.Client.PostAsync("/upload/raw", new ByteArrayContent(body)).DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(body, _backend.Requests.Single(r => r.Path == "/upload/raw").Body);
    }

    [Fact]
    public async Task Post_EnvelopeWithAnySignature_PayloadUnwrapped()
    {
        var body = TestAutoscalerKey.Envelope(TestAutoscalerKey.Other.Sign("u"), """{"prompt":"p"}""");

        using var response = await _worker.Client.PostAsync("/unwrap/me", new StringContent(body, Encoding.UTF8, "application/json")).DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"prompt":"p"}""", Encoding.UTF8.GetString(_backend.Requests.Single(r => r.Path == "/unwrap/me").Body));
    }

    [Fact]
    public async Task Get_WithoutAuth_ForwardedWithQuery()
    {
        using var response = await _worker.Client.GetAsync("/v1/models?a=1&a=2").DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("?a=1&a=2", _backend.Requests.Single(r => r.Path == "/v1/models").QueryString);
    }

    [Fact]
    public async Task Post_BodyShorterThanContentLength_NeverForwardedNever5xx()
    {
        string answer;
        try
        {
            answer = await SendRawAsync($"POST /truncated HTTP/1.1\r\nHost: {_worker.BaseUrl.Authority}\r\nContent-Length: 100\r\n\r\n{{\"a\":", halfClose: true).DefaultTimeout();
        }
        catch (IOException)
        {
            answer = ""; // Kestrel may reset a connection whose body ended early; that is fine too.
        }

        // A 4xx or a closed connection; never a 5xx, never a forwarded half body.
        Assert.True(answer.Length == 0 || answer.StartsWith("HTTP/1.1 4", StringComparison.Ordinal), answer);
        Assert.DoesNotContain(_backend.Requests, r => r.Path == "/truncated");
        using var after = await _worker.Client.GetAsync("/after-truncated").DefaultTimeout();
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    public static TheoryData<string> HostTricks() =>
    [
        "GET //{other}/steal HTTP/1.1\r\nHost: {worker}\r\n",
        "GET http://{other}/steal HTTP/1.1\r\nHost: {other}\r\n",
        "GET /%2F%2F{other}/steal HTTP/1.1\r\nHost: {worker}\r\n",
        "GET /..%2F..%2F{other}/steal HTTP/1.1\r\nHost: {worker}\r\n",
        "GET @{other}/steal HTTP/1.1\r\nHost: {worker}\r\n",
        "GET /steal HTTP/1.1\r\nHost: {other}\r\n",
        "GET /\\\\{other}/steal HTTP/1.1\r\nHost: {worker}\r\n",
    ];

    [Theory]
    [MemberData(nameof(HostTricks))]
    public async Task RequestTarget_Tricks_NeverReachAnotherHost(string template)
    {
        var other = _otherHost.BaseUrl.Authority;
        var worker = _worker.BaseUrl.Authority;
        var raw = template.Replace("{other}", other, StringComparison.Ordinal).Replace("{worker}", worker, StringComparison.Ordinal) + "Connection: close\r\n\r\n";

        var answer = await SendRawAsync(raw).DefaultTimeout();

        Assert.Equal(0, Volatile.Read(ref _otherHostHits));
        Assert.DoesNotContain("other host", answer, StringComparison.Ordinal);
        Assert.Matches(@"^HTTP/1\.1 (200|400|404) ", answer);
    }

    private async Task<string> SendRawAsync(string request, bool halfClose = false)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, _worker.BaseUrl.Port);
        await using var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        if (halfClose)
        {
            client.Client.Shutdown(SocketShutdown.Send);
        }

        using var reader = new StreamReader(stream, Encoding.ASCII);
        return await reader.ReadToEndAsync();
    }
}
