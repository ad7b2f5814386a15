using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Vespa.Core.Signatures;
using Vespa.Testing;

namespace Vespa.Worker.Tests.Integration;

/// <summary>A secured worker in front of a fake backend: what is forwarded, and what never is.</summary>
public sealed class SecuredProxyTests : IClassFixture<ProxyFixture>
{
    private readonly ProxyFixture _fixture;

    public SecuredProxyTests(ProxyFixture fixture)
    {
        _fixture = fixture;
    }

    private HttpClient Client => _fixture.Worker.Client;

    private static TestAutoscalerKey Key => TestAutoscalerKey.Shared;

    private RecordedRequest[] Recorded(string marker) =>
        _fixture.Backend.Requests.Where(r => r.Path.Contains(marker, StringComparison.Ordinal) || r.QueryString.Contains(marker, StringComparison.Ordinal)).ToArray();

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    [Fact]
    public async Task Post_ValidUrlSignature_ForwardsPayloadBytesUnchanged()
    {
        var marker = WorkerUrl.Marker();
        var payload = """{ "messages" : [ {"content": "h\u00e9llo é 😀 {not a brace}"} ],  "n":1.50, "big": 123456789012345678901234567890 }""";
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/echo/{marker}?a=1&b=x%20y&a=2&api_key=secret")
        {
            Content = Json(TestAutoscalerKey.Envelope(Key.Sign(WorkerUrl.Signed), payload)),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "endpoint-key");

        using var response = await Client.SendAsync(request).DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var forwarded = Assert.Single(Recorded(marker));
        Assert.Equal("POST", forwarded.Method);
        Assert.Equal($"/v1/echo/{marker}", forwarded.Path);
        Assert.Equal("?a=1&b=x%20y&a=2", forwarded.QueryString);
        Assert.Equal(Encoding.UTF8.GetBytes(payload), forwarded.Body);
        Assert.Equal("application/json", forwarded.Headers["Content-Type"]);
        Assert.Equal(payload.Length == 0 ? "0" : Encoding.UTF8.GetByteCount(payload).ToString(System.Globalization.CultureInfo.InvariantCulture), forwarded.Headers["Content-Length"]);
        Assert.False(forwarded.Headers.ContainsKey("Authorization"));
        Assert.Equal(Encoding.UTF8.GetBytes(payload), await response.Content.ReadAsByteArrayAsync().DefaultTimeout());
    }

    [Theory]
    [InlineData("PUT")]
    [InlineData("PATCH")]
    public async Task BodyMethods_Envelope_ForwardedWithTheirOwnMethod(string method)
    {
        var marker = WorkerUrl.Marker();
        using var request = new HttpRequestMessage(new HttpMethod(method), $"/items/{marker}")
        {
            Content = Json(TestAutoscalerKey.Envelope(Key.Sign(WorkerUrl.Signed), """{"x":1}""")),
        };

        using var response = await Client.SendAsync(request).DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var forwarded = Assert.Single(Recorded(marker));
        Assert.Equal(method, forwarded.Method);
        Assert.Equal("""{"x":1}""", Encoding.UTF8.GetString(forwarded.Body));
    }

    [Fact]
    public async Task Post_LegacySignature_AcceptedUnderAuto()
    {
        var marker = WorkerUrl.Marker();
        var auth = Key.Sign(WorkerUrl.Signed, SignatureScheme.Legacy, costToken: "100.0", reqnum: 77, requestIdx: 88);

        using var response = await Client.PostAsync($"/v1/echo/{marker}", Json(TestAutoscalerKey.Envelope(auth, "{}"))).DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(Recorded(marker));
    }

    public static TheoryData<string, string> ForgedEnvelopes()
    {
        var valid = Key.Sign(WorkerUrl.Signed);
        return new TheoryData<string, string>
        {
            // Signed for another worker, then the url changed to this one's: the signature no longer covers it.
            { "tampered url", Key.Sign("https://203.0.113.8:41234").ToJson().Replace("https://203.0.113.8:41234", WorkerUrl.Signed, StringComparison.Ordinal) },
            { "other key", TestAutoscalerKey.Other.Sign(WorkerUrl.Signed).ToJson() },
            { "empty signature", valid.WithSignature("").ToJson() },
            { "not base64", valid.WithSignature("%%%%").ToJson() },
            { "url-safe base64", valid.WithSignature(valid.SignatureText!.Replace('+', '-').Replace('/', '_')).ToJson() },
            { "legacy fields tampered", Key.Sign(WorkerUrl.Signed, SignatureScheme.Legacy, costToken: "100").ToJson().Replace("\"cost\":100", "\"cost\":1", StringComparison.Ordinal) },
        };
    }

    [Theory]
    [MemberData(nameof(ForgedEnvelopes))]
    public async Task Post_ForgedSignature_401AndNothingForwarded(string why, string authJson)
    {
        var marker = WorkerUrl.Marker();
        var body = "{\"auth_data\": " + authJson + ", \"payload\": {\"x\": 1}}";

        using var response = await Client.PostAsync($"/v1/echo/{marker}", Json(body)).DefaultTimeout();

        Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, why);
        using var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync().DefaultTimeout());
        Assert.Equal("invalid signature", error.RootElement.GetProperty("error").GetString());
        Assert.Empty(Recorded(marker));
    }

    public static TheoryData<string, string, string> MalformedBodies() => new()
    {
        { "not json", "hello", "invalid JSON" },
        { "empty", "", "invalid JSON" },
        { "array", "[1,2]", "auth_data" },
        { "no auth_data", """{"payload": {}}""", "auth_data" },
        { "auth_data not an object", """{"auth_data": "x", "payload": {}}""", "auth_data" },
        { "missing signature", """{"auth_data": {"cost": 1, "endpoint": "e", "reqnum": 1, "request_idx": 1, "url": "u"}, "payload": {}}""", "signature" },
        { "missing payload", """{"auth_data": {"cost": 1, "endpoint": "e", "reqnum": 1, "request_idx": 1, "url": "u", "signature": "s"}}""", "payload" },
        { "truncated", """{"auth_data": {"cost": 1""", "invalid JSON" },
        { "NaN literal", """{"auth_data": {"cost": NaN}, "payload": {}}""", "invalid JSON" },
    };

    [Theory]
    [MemberData(nameof(MalformedBodies))]
    public async Task Post_MalformedEnvelope_422WithFieldMapAndNothingForwarded(string why, string body, string mentioned)
    {
        var marker = WorkerUrl.Marker();

        using var response = await Client.PostAsync($"/v1/echo/{marker}", Json(body)).DefaultTimeout();

        Assert.True(response.StatusCode == HttpStatusCode.UnprocessableEntity, why + ": " + response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync().DefaultTimeout();
        using var error = JsonDocument.Parse(text);
        Assert.False(string.IsNullOrEmpty(error.RootElement.GetProperty("error").GetString()));
        Assert.Contains(mentioned, text, StringComparison.Ordinal);
        Assert.Empty(Recorded(marker));
    }

    [Fact]
    public async Task Post_MissingSignature_HasThePythonFieldMap()
    {
        var body = """{"auth_data": {"cost": 1, "endpoint": "e", "reqnum": 1, "request_idx": 1, "url": "u"}}""";

        using var response = await Client.PostAsync("/v1/echo/map", Json(body)).DefaultTimeout();

        using var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync().DefaultTimeout());
        Assert.Equal("missing parameter", error.RootElement.GetProperty("auth_data").GetProperty("signature").GetString());
        Assert.Equal("field missing", error.RootElement.GetProperty("payload").GetString());
    }

    [Fact]
    public async Task Post_DeclaredBodyOverTheCap_413BeforeReading()
    {
        var marker = WorkerUrl.Marker();
        var body = new string('x', 70_000);

        using var response = await Client.PostAsync($"/v1/echo/{marker}", Json(body)).DefaultTimeout();

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("VESPA_MAX_BODY_BYTES", await response.Content.ReadAsStringAsync().DefaultTimeout(), StringComparison.Ordinal);
        Assert.Empty(Recorded(marker));
    }

    [Fact]
    public async Task Post_ChunkedBodyOverTheCap_413()
    {
        var marker = WorkerUrl.Marker();
        var content = new StreamContent(new MemoryStream(new byte[70_000]));
        content.Headers.ContentLength = null;
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/echo/{marker}") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        using var response = await Client.SendAsync(request).DefaultTimeout();

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Empty(Recorded(marker));
    }

    [Theory]
    [InlineData("/admin/users")]
    [InlineData("/internal")]
    [InlineData("//admin/x")]
    public async Task BlockedPath_403AndNothingForwarded(string path)
    {
        var before = _fixture.Backend.Requests.Count(r => r.Path.Contains("admin", StringComparison.Ordinal) || r.Path.Contains("internal", StringComparison.Ordinal));

        // Built as an absolute URI so that "//admin/x" stays a path and is not read as a host.
        var uri = new Uri(_fixture.Worker.BaseUrl.GetLeftPart(UriPartial.Authority) + path);
        using var response = await Client.PostAsync(uri, Json(TestAutoscalerKey.Envelope(Key.Sign(WorkerUrl.Signed), "{}"))).DefaultTimeout();

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("is blocked", await response.Content.ReadAsStringAsync().DefaultTimeout(), StringComparison.Ordinal);
        Assert.Equal(before, _fixture.Backend.Requests.Count(r => r.Path.Contains("admin", StringComparison.Ordinal) || r.Path.Contains("internal", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("DELETE")]
    [InlineData("HEAD")]
    public async Task QueryForm_Signed_ForwardedWithOwnMethodAndQueryMinusEnvelope(string method)
    {
        var marker = WorkerUrl.Marker();
        var query = TestAutoscalerKey.QueryParameters(Key.Sign(WorkerUrl.Signed));
        using var request = new HttpRequestMessage(new HttpMethod(method), $"/v1/items/{marker}?x=1&{query}&x=2&y=a%2Bb");

        using var response = await Client.SendAsync(request).DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var forwarded = Assert.Single(Recorded(marker));
        Assert.Equal(method, forwarded.Method);
        Assert.Equal("?x=1&x=2&y=a%2Bb", forwarded.QueryString);
        Assert.Equal(method, response.Headers.GetValues("X-Echo-Method").Single());
    }

    [Fact]
    public async Task QueryForm_LegacyFloatCostInExponentSyntax_VerifiesAsPythonFloat()
    {
        var marker = WorkerUrl.Marker();
        var auth = Key.Sign(WorkerUrl.Signed, SignatureScheme.Legacy, costToken: "1e-05", reqnum: 5, requestIdx: 6);

        using var response = await Client.GetAsync($"/v1/items/{marker}?{TestAutoscalerKey.QueryParameters(auth)}").DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(Recorded(marker));
    }

    [Fact]
    public async Task QueryForm_NonNumericReqnum_422()
    {
        var marker = WorkerUrl.Marker();
        var query = TestAutoscalerKey.QueryParameters(Key.Sign(WorkerUrl.Signed)).Replace("serverless_reqnum=1", "serverless_reqnum=one", StringComparison.Ordinal);

        using var response = await Client.GetAsync($"/v1/items/{marker}?{query}").DefaultTimeout();

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Contains("serverless_reqnum", await response.Content.ReadAsStringAsync().DefaultTimeout(), StringComparison.Ordinal);
        Assert.Empty(Recorded(marker));
    }

    [Fact]
    public async Task QueryForm_ForgedSignature_401()
    {
        var marker = WorkerUrl.Marker();
        var query = TestAutoscalerKey.QueryParameters(TestAutoscalerKey.Other.Sign(WorkerUrl.Signed));

        using var response = await Client.GetAsync($"/v1/items/{marker}?{query}").DefaultTimeout();

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Empty(Recorded(marker));
    }

    [Fact]
    public async Task Get_WithoutAuth_401NamesTheParameters()
    {
        var marker = WorkerUrl.Marker();

        using var response = await Client.GetAsync($"/v1/items/{marker}").DefaultTimeout();

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("serverless_signature", await response.Content.ReadAsStringAsync().DefaultTimeout(), StringComparison.Ordinal);
        Assert.Empty(Recorded(marker));
    }

    [Fact]
    public async Task RawBodyHeader_BinaryBodyForwardedUntouchedAndHeaderStripped()
    {
        var marker = WorkerUrl.Marker();
        var audio = FakeBackend.BinaryPattern(10_000);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/audio/{marker}") { Content = new ByteArrayContent(audio) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("audio/wav");
        request.Headers.Add("X-Vespa-Auth-Data", Key.Sign(WorkerUrl.Signed).ToJson());

        using var response = await Client.SendAsync(request).DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var forwarded = Assert.Single(Recorded(marker));
        Assert.Equal(audio, forwarded.Body);
        Assert.Equal("audio/wav", forwarded.Headers["Content-Type"]);
        Assert.False(forwarded.Headers.ContainsKey("X-Vespa-Auth-Data"));
        Assert.Equal(audio, await response.Content.ReadAsByteArrayAsync().DefaultTimeout());
    }

    [Fact]
    public async Task RawBodyHeader_ForgedOrMalformed_Rejected()
    {
        var marker = WorkerUrl.Marker();
        using var forged = new HttpRequestMessage(HttpMethod.Post, $"/v1/audio/{marker}") { Content = new ByteArrayContent([1, 2, 3]) };
        forged.Headers.Add("X-Vespa-Auth-Data", TestAutoscalerKey.Other.Sign(WorkerUrl.Signed).ToJson());
        using var malformed = new HttpRequestMessage(HttpMethod.Post, $"/v1/audio/{marker}") { Content = new ByteArrayContent([1, 2, 3]) };
        malformed.Headers.Add("X-Vespa-Auth-Data", "{not json");

        using var forgedResponse = await Client.SendAsync(forged).DefaultTimeout();
        using var malformedResponse = await Client.SendAsync(malformed).DefaultTimeout();

        Assert.Equal(HttpStatusCode.Unauthorized, forgedResponse.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, malformedResponse.StatusCode);
        Assert.Empty(Recorded(marker));
    }

    [Fact]
    public async Task Sse_FirstChunkReachesClientBeforeBackendFinishes()
    {
        var marker = WorkerUrl.Marker();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/sse?gate=1&chunks=3&t={marker}")
        {
            Content = Json(TestAutoscalerKey.Envelope(Key.Sign(WorkerUrl.Signed), "{}")),
        };

        using var response = await Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).DefaultTimeout();
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        await using var stream = await response.Content.ReadAsStreamAsync().DefaultTimeout();
        using var reader = new StreamReader(stream);

        Assert.Equal("data: chunk 0", await reader.ReadLineAsync().DefaultTimeout());
        Assert.False(_fixture.Backend.StreamFinished.Task.IsCompleted, "the backend had already finished");
        _fixture.Backend.ReleaseStream();
        var rest = await reader.ReadToEndAsync().DefaultTimeout();

        Assert.Contains("data: chunk 2", rest, StringComparison.Ordinal);
        Assert.EndsWith("data: [DONE]\n\n", rest, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ndjson_StreamedWithItsContentType()
    {
        var marker = WorkerUrl.Marker();
        var query = TestAutoscalerKey.QueryParameters(Key.Sign(WorkerUrl.Signed));

        using var response = await Client.GetAsync($"/ndjson?lines=4&t={marker}&{query}", HttpCompletionOption.ResponseHeadersRead).DefaultTimeout();

        Assert.Equal("application/x-ndjson", response.Content.Headers.ContentType?.MediaType);
        var lines = (await response.Content.ReadAsStringAsync().DefaultTimeout()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["{\"line\":0}", "{\"line\":1}", "{\"line\":2}", "{\"line\":3}"], lines);
    }

    [Fact]
    public async Task Binary_ResponseBytesUntouched()
    {
        var query = TestAutoscalerKey.QueryParameters(Key.Sign(WorkerUrl.Signed));

        using var response = await Client.GetAsync($"/binary?size=70000&{query}").DefaultTimeout();

        Assert.Equal(FakeBackend.BinaryPattern(70_000), await response.Content.ReadAsByteArrayAsync().DefaultTimeout());
    }

    [Fact]
    public async Task Gzip_ResponseNotDecompressed()
    {
        var query = TestAutoscalerKey.QueryParameters(Key.Sign(WorkerUrl.Signed));

        using var response = await Client.GetAsync($"/gzip?{query}").DefaultTimeout();

        Assert.Equal("gzip", Assert.Single(response.Content.Headers.ContentEncoding));
        Assert.Equal(FakeBackend.Gzip("compressed payload that must arrive still compressed"), await response.Content.ReadAsByteArrayAsync().DefaultTimeout());
    }

    [Theory]
    [InlineData(400)]
    [InlineData(404)]
    [InlineData(500)]
    [InlineData(503)]
    public async Task BackendErrorStatus_PassesThroughWithBodyAndHeaders(int status)
    {
        var query = TestAutoscalerKey.QueryParameters(Key.Sign(WorkerUrl.Signed));

        using var response = await Client.GetAsync($"/status/{status}?{query}").DefaultTimeout();

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("yes", response.Headers.GetValues("X-Backend").Single());
        Assert.Equal($"{{\"backend_error\":{status}}}", await response.Content.ReadAsStringAsync().DefaultTimeout());
    }

    [Fact]
    public async Task BackendBreaksMidStream_ClientSeesBrokenStreamNotCleanEnd()
    {
        var query = TestAutoscalerKey.QueryParameters(Key.Sign(WorkerUrl.Signed));

        using var response = await Client.GetAsync($"/break?{query}", HttpCompletionOption.ResponseHeadersRead).DefaultTimeout();
        await using var stream = await response.Content.ReadAsStreamAsync().DefaultTimeout();

        await Assert.ThrowsAnyAsync<IOException>(async () =>
        {
            var buffer = new byte[1024];
            while (await stream.ReadAsync(buffer).DefaultTimeout() > 0)
            {
            }
        });
    }

    [Fact]
    public async Task Ping_AnswersWithoutAuth()
    {
        using var response = await Client.GetAsync("/ping").DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("pong", await response.Content.ReadAsStringAsync().DefaultTimeout());
    }
}
