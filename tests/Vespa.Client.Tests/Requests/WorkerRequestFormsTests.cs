using System.Text;
using System.Text.Json;
using Vespa.Client.Requests;
using Vespa.Core.Envelopes;
using Vespa.Core.Signatures;
using Vespa.Testing;

namespace Vespa.Client.Tests.Requests;

public sealed class WorkerRequestFormsTests
{
    [Theory]
    [InlineData("POST", "application/json", false, "{\"a\":1}", "Envelope")]
    [InlineData("put", null, false, "[1, 2]", "Envelope")]
    [InlineData("PATCH", "application/vnd.api+json; charset=utf-8", false, " \"text\" ", "Envelope")]
    [InlineData("POST", "application/json", true, "{\"a\":1}", "Header")]
    [InlineData("POST", "application/json", false, "", "Header")]
    [InlineData("POST", "application/json", false, "{\"a\":", "Header")]
    [InlineData("POST", "application/json", false, "{} {}", "Header")]
    [InlineData("POST", "text/plain", false, "{}", "Header")]
    [InlineData("POST", "multipart/form-data; boundary=x", false, "--x--", "Header")]
    [InlineData("GET", null, false, "", "Query")]
    [InlineData("HEAD", null, false, "", "Query")]
    [InlineData("DELETE", "application/json", false, "{}", "Query")]
    [InlineData("OPTIONS", null, false, "", "Query")]
    public void Choose_PicksTheForm(string method, string? contentType, bool encoded, string body, string expected) =>
        Assert.Equal(Enum.Parse<RequestForm>(expected), WorkerRequestForms.Choose(method, contentType, encoded, Encoding.UTF8.GetBytes(body)));

    [Fact]
    public void Envelope_PayloadBytesVerbatim_AuthNumbersUnchanged()
    {
        using var route = JsonDocument.Parse("""{"cost": 100.0, "endpoint": "e", "reqnum": 7, "request_idx": 9, "signature": "a+b/c=", "url": "http://w:1"}""");
        Assert.True(AuthData.TryFromJson(route.RootElement, out var auth, out _));
        const string Payload = "{ \"x\" : 1.50,\n \"é\": \"\\u00e9\" }";

        var envelope = Encoding.UTF8.GetString(WorkerRequestForms.Envelope(auth!, Encoding.UTF8.GetBytes(Payload)));

        Assert.StartsWith("{\"auth_data\":{\"cost\":100.0,\"endpoint\":\"e\",\"reqnum\":7,\"request_idx\":9,", envelope, StringComparison.Ordinal);
        Assert.EndsWith(",\"session_id\":null,\"payload\":" + Payload + "}", envelope, StringComparison.Ordinal);
        using var parsed = JsonDocument.Parse(envelope);
        Assert.Equal("a+b/c=", parsed.RootElement.GetProperty("auth_data").GetProperty("signature").GetString());
    }

    [Fact]
    public void Query_AuthFirst_CallerParametersKept_TheirAuthAndApiKeyDropped()
    {
        var auth = AuthData.Create(1.5, "my ep", 3, 4, "s+g/=", "https://1.2.3.4:5");

        var query = WorkerRequestForms.Query("?b=2&serverless_cost=999&api_key=secret&a=1&a=%2B", auth);

        Assert.Equal(
            "?serverless_cost=1.5&serverless_endpoint=my%20ep&serverless_reqnum=3&serverless_request_idx=4&serverless_signature=s%2Bg%2F%3D&serverless_url=https%3A%2F%2F1.2.3.4%3A5&b=2&a=1&a=%2B",
            query);
    }

    [Fact]
    public void Query_WithoutAuth_OnlyFilters()
    {
        Assert.Equal("?x=1", WorkerRequestForms.Query("?api_key=k&x=1", authData: null));
        Assert.Equal("", WorkerRequestForms.Query(null, authData: null));
    }

    [Fact]
    public async Task Query_LegacySignature_SurvivesTheRoundTripThroughTheWorkersParser()
    {
        // The legacy scheme signs the cost token; the query must carry "100.0", not "100".
        await using var emulator = await EmulatorTestKit.StartAsync(o =>
        {
            o.Scheme = SignatureScheme.Legacy;
            o.Workers.Add(new Uri("http://127.0.0.1:3000"));
        });
        var route = emulator.Route("local", cost: 100);
        var reply = await EmulatorTestKit.RouteAsync(emulator, """{"endpoint": "local", "cost": 100}""");
        using var document = JsonDocument.Parse(reply.Body);
        Assert.True(AuthData.TryFromJson(document.RootElement, out var auth, out _));
        Assert.NotNull(route.AuthData);

        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(WorkerRequestForms.Query(null, auth));
        var parsed = AuthData.FromQuery(query["serverless_cost"], query["serverless_endpoint"], query["serverless_reqnum"], query["serverless_request_idx"],
            query["serverless_signature"], query["serverless_url"], "/");

        Assert.Equal("100.0", query["serverless_cost"].ToString());
        using var verifier = EnvelopeVerifier.FromPublicKey(emulator.PublicKeyPem);
        Assert.True(verifier.Verify(parsed, SignatureScheme.Legacy).IsValid);
    }

    [Fact]
    public void HeaderValue_IsAsciiJson()
    {
        var auth = AuthData.Create(1, "ünïcode", 1, 1, "sig", "http://w");

        var header = WorkerRequestForms.HeaderValue(auth);

        Assert.All(header, c => Assert.True(c < 128));
        using var parsed = JsonDocument.Parse(header);
        Assert.Equal("ünïcode", parsed.RootElement.GetProperty("endpoint").GetString());
    }

    [Theory]
    [InlineData("http://w:1", "/v1/x", "?q=1", "http://w:1/v1/x?q=1")]
    [InlineData("http://w:1/", "v1/x", "", "http://w:1/v1/x")]
    [InlineData("https://w:1/base", "/v1/x", "", "https://w:1/base/v1/x")]
    public void WorkerUri_JoinsBaseAndPath(string worker, string path, string query, string expected) =>
        Assert.Equal(new Uri(expected), WorkerRequestForms.WorkerUri(worker, path, query));

    [Theory]
    [InlineData("1", true)]
    [InlineData("0.5", true)]
    [InlineData("1e3", true)]
    [InlineData("0", false)]
    [InlineData("-1", false)]
    [InlineData("NaN", false)]
    [InlineData("abc", false)]
    [InlineData(null, false)]
    public void TryParseCost(string? text, bool valid) => Assert.Equal(valid, WorkerRequestForms.TryParseCost(text, out _));
}
