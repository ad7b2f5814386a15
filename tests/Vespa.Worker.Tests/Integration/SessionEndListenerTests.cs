using System.Net;
using System.Text;
using System.Text.Json;
using Vespa.Testing;
using Vespa.Worker.Tests.Infrastructure;

namespace Vespa.Worker.Tests.Integration;

/// <summary>
/// WORKER_HTTP_PORT: the official worker's second, plain-HTTP listener that serves only
/// <c>POST /session/end</c> (so a session can be closed when the main port speaks TLS).
/// </summary>
public sealed class SessionEndListenerTests
{
    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static Task<ReportingHarness> StartAsync() => ReportingHarness.StartAsync(settings: ("VESPA_WORKER_HTTP_PORT", "0"));

    private static HttpClient PlainClient(ReportingHarness h)
    {
        var address = h.Worker.SessionEndUrl ?? throw new InvalidOperationException("no plain-HTTP /session/end listener");
        Assert.Equal("http", address.Scheme);
        Assert.NotEqual(h.Worker.BaseUrl.Port, address.Port);
        return new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = address, Timeout = TaskTimeoutExtensions.Timeout };
    }

    [Fact]
    public async Task PlainHttpPort_EndsASessionOpenedOnTheMainPort()
    {
        await using var h = await StartAsync();
        using var plain = PlainClient(h);
        var auth = h.Route(cost: 2, requestIdx: 970);
        using var create = await h.Worker.Client.PostAsync("/session/create", Json(TestAutoscalerKey.Envelope(auth, """{"lifetime": 60}"""))).DefaultTimeout();
        using var created = JsonDocument.Parse(await create.Content.ReadAsStringAsync().DefaultTimeout());
        var id = created.RootElement.GetProperty("session_id").GetString()!;
        var sessionBody = $$"""{"session_id": "{{id}}", "session_auth": {{auth.ToJson()}}}""";

        using var end = await plain.PostAsync("/session/end", Json(sessionBody)).DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, end.StatusCode);
        using (var ended = JsonDocument.Parse(await end.Content.ReadAsStringAsync().DefaultTimeout()))
        {
            Assert.True(ended.RootElement.GetProperty("ended").GetBoolean());
            Assert.Equal(id, ended.RootElement.GetProperty("removed_session").GetString());
        }

        using var health = await h.Worker.Client.PostAsync("/session/health", Json(sessionBody)).DefaultTimeout();
        Assert.Contains("\"ok\":false", await health.Content.ReadAsStringAsync().DefaultTimeout(), StringComparison.Ordinal);
        var deleted = await h.Emulator.WaitForDeleteReportAsync(r => r.Requests.Any(d => d.RequestIdx == 970)).DefaultTimeout();
        Assert.True(deleted.Requests.Single(d => d.RequestIdx == 970).Success);
    }

    [Fact]
    public async Task PlainHttpPort_AnswersTheSessionErrorsAsTheMainPort()
    {
        await using var h = await StartAsync();
        using var plain = PlainClient(h);

        using var unknown = await plain.PostAsync("/session/end", Json("""{"session_id": "nosuchsession", "session_auth": {}}""")).DefaultTimeout();
        using var invalid = await plain.PostAsync("/session/end", Json("not json")).DefaultTimeout();

        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("session with id nosuchsession not found", await unknown.Content.ReadAsStringAsync().DefaultTimeout(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, invalid.StatusCode);
    }

    [Theory]
    [InlineData("POST", "/session/create", HttpStatusCode.NotFound)]
    [InlineData("POST", "/session/get", HttpStatusCode.NotFound)]
    [InlineData("POST", "/v1/echo", HttpStatusCode.NotFound)]
    [InlineData("GET", "/ping", HttpStatusCode.NotFound)]
    [InlineData("GET", "/metrics", HttpStatusCode.NotFound)]
    [InlineData("POST", "/pyworker/update", HttpStatusCode.NotFound)]
    [InlineData("GET", "/session/end", HttpStatusCode.MethodNotAllowed)]
    public async Task PlainHttpPort_ServesNothingElse_AndForwardsNothing(string method, string path, HttpStatusCode expected)
    {
        await using var h = await StartAsync();
        using var plain = PlainClient(h);
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method == "POST")
        {
            request.Content = Json(TestAutoscalerKey.Envelope(h.Route(cost: 1, requestIdx: 980), "{}"));
        }

        using var response = await plain.SendAsync(request).DefaultTimeout();

        Assert.Equal(expected, response.StatusCode);
        Assert.DoesNotContain(h.Backend.Requests, r => r.Path == "/v1/echo");
        Assert.Equal(0, h.Worker.Load.Snapshot().Received);
    }
}
