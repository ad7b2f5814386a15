using System.Net;
using System.Text;
using System.Text.Json;
using Vespa.Core.Envelopes;
using Vespa.Testing;

namespace Vespa.Worker.Tests.Integration;

/// <summary>
/// Issue 9, findings 6 and 10: auth_data is bounded before any canonical message is built, worker
/// error bodies carry what the caller can act on (never the backend's address or exception text),
/// and forwarding headers come from the worker, not the client.
/// </summary>
public sealed class RequestHardeningTests : IClassFixture<ProxyFixture>
{
    private readonly ProxyFixture _fixture;

    public RequestHardeningTests(ProxyFixture fixture)
    {
        _fixture = fixture;
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static string AuthWith(string field, string valueJson)
    {
        var valid = TestAutoscalerKey.Shared.Sign(WorkerUrl.Signed);
        using var document = JsonDocument.Parse(valid.ToJson());
        var members = document.RootElement.EnumerateObject().Select(p => $"\"{p.Name}\": {(p.Name == field ? valueJson : p.Value.GetRawText())}");
        return "{" + string.Join(", ", members) + "}";
    }

    public static TheoryData<string, string, string> OversizedAuthData() => new()
    {
        // ~1.8 KB that expands to megabytes under indent=4 (finding 6).
        { "url", new string('[', 900) + new string(']', 900), "nested" },
        { "url", "[[[1]]]", "nested" },
        { "signature", "\"" + new string('A', AuthDataShape.MaxStringBytes + 4) + "\"", "string" },
        { "cost", "1" + new string('0', 150), "number" },
        { "endpoint", "[" + string.Join(',', Enumerable.Repeat("1", 100)) + "]", "values" },
    };

    [Theory]
    [MemberData(nameof(OversizedAuthData))]
    public async Task Post_AuthDataBeyondItsBounds_422NamesTheField(string field, string valueJson, string problem)
    {
        var marker = WorkerUrl.Marker();
        var body = "{\"auth_data\": " + AuthWith(field, valueJson) + ", \"payload\": {}}";

        using var response = await _fixture.Worker.Client.PostAsync($"/v1/echo/{marker}", Json(body)).DefaultTimeout();

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        using var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync().DefaultTimeout());
        Assert.Contains(problem, error.RootElement.GetProperty("auth_data").GetProperty(field).GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(_fixture.Backend.Requests, r => r.Path.Contains(marker, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Post_ShallowListInAnUnsignedField_StillAccepted()
    {
        var marker = WorkerUrl.Marker();
        var body = "{\"auth_data\": " + AuthWith("endpoint", "[\"a\", {\"b\": 1}]") + ", \"payload\": {}}";

        using var response = await _fixture.Worker.Client.PostAsync($"/v1/echo/{marker}", Json(body)).DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task QueryForm_OverlongNumber_422()
    {
        var marker = WorkerUrl.Marker();
        var query = TestAutoscalerKey.QueryParameters(TestAutoscalerKey.Shared.Sign(WorkerUrl.Signed)).Replace("serverless_reqnum=1", "serverless_reqnum=1" + new string('0', 150), StringComparison.Ordinal);

        using var response = await _fixture.Worker.Client.GetAsync($"/v1/items/{marker}?{query}").DefaultTimeout();

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Contains("serverless_reqnum", await response.Content.ReadAsStringAsync().DefaultTimeout(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClientForwardingHeaders_ReplacedByTheWorkersOwn()
    {
        var marker = WorkerUrl.Marker();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/echo/{marker}")
        {
            Content = Json(TestAutoscalerKey.Envelope(TestAutoscalerKey.Shared.Sign(WorkerUrl.Signed), "{}")),
        };
        request.Headers.TryAddWithoutValidation("X-Forwarded-For", "6.6.6.6");
        request.Headers.TryAddWithoutValidation("X-Forwarded-Proto", "https");
        request.Headers.TryAddWithoutValidation("X-Forwarded-Host", "evil.example");
        request.Headers.TryAddWithoutValidation("X-Forwarded-Prefix", "/admin");
        request.Headers.TryAddWithoutValidation("Forwarded", "for=6.6.6.6;proto=https");
        request.Headers.TryAddWithoutValidation("X-Real-IP", "6.6.6.6");

        using var response = await _fixture.Worker.Client.SendAsync(request).DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var forwarded = Assert.Single(_fixture.Backend.Requests, r => r.Path.Contains(marker, StringComparison.Ordinal));
        Assert.Equal("127.0.0.1", forwarded.Headers["X-Forwarded-For"]);
        Assert.Equal("http", forwarded.Headers["X-Forwarded-Proto"]);
        Assert.Equal(_fixture.Worker.BaseUrl.Authority, forwarded.Headers["X-Forwarded-Host"]);
        Assert.False(forwarded.Headers.ContainsKey("X-Forwarded-Prefix"));
        Assert.False(forwarded.Headers.ContainsKey("Forwarded"));
        Assert.False(forwarded.Headers.ContainsKey("X-Real-IP"));
    }

    [Fact]
    public async Task BackendDown_502BodyTellsTheCallerWhatToDo_NotTheBackendAddress()
    {
        var backend = await FakeBackend.StartAsync();
        await using var worker = await TestWorker.StartAsync(backend.BaseUrl);
        var backendAuthority = backend.BaseUrl.Authority;
        await backend.DisposeAsync();

        using var response = await worker.Client.GetAsync("/v1/models").DefaultTimeout();

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync().DefaultTimeout();
        using var error = JsonDocument.Parse(text);
        Assert.Equal(["error"], error.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Contains("retry", error.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(backendAuthority, text, StringComparison.Ordinal);
        Assert.DoesNotContain("refused", text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task BackendSilent_504BodyNamesTheTimeout_NotTheBackendAddress()
    {
        await using var backend = await FakeBackend.StartAsync();
        await using var worker = await TestWorker.StartAsync(backend.BaseUrl, null, ("VESPA_IDLE_TIMEOUT", "0.3"));

        using var response = await worker.Client.GetAsync("/slow?ms=5000").DefaultTimeout();

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync().DefaultTimeout();
        Assert.Contains("VESPA_IDLE_TIMEOUT", text, StringComparison.Ordinal);
        Assert.DoesNotContain(backend.BaseUrl.Authority, text, StringComparison.Ordinal);
    }
}
