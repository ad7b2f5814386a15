using System.Net;
using System.Text;
using System.Text.Json;
using Vespa.Testing;
using Vespa.Worker.Tests.Infrastructure;

namespace Vespa.Worker.Tests.Integration;

/// <summary>
/// Issue 9, finding 3: a signature made for another worker must not be accepted here. The test
/// worker is 203.0.113.7 with the external port 41234 (<see cref="WorkerUrl"/>).
/// </summary>
public sealed class UrlBindingTests : IClassFixture<ProxyFixture>
{
    private readonly ProxyFixture _fixture;

    public UrlBindingTests(ProxyFixture fixture)
    {
        _fixture = fixture;
    }

    private static TestAutoscalerKey Key => TestAutoscalerKey.Shared;

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private int Forwarded(string marker) => _fixture.Backend.Requests.Count(r => r.Path.Contains(marker, StringComparison.Ordinal) || r.QueryString.Contains(marker, StringComparison.Ordinal));

    [Theory]
    [InlineData("https://203.0.113.8:41234")]
    [InlineData("https://203.0.113.7:41235")]
    [InlineData("https://203.0.113.7")]
    [InlineData("http://user@203.0.113.7:41234")]
    [InlineData("")]
    public async Task ValidSignatureForAnotherWorker_401NamesBothUrls_NothingForwarded(string url)
    {
        var marker = WorkerUrl.Marker();

        using var response = await _fixture.Worker.Client.PostAsync($"/v1/echo/{marker}", Json(TestAutoscalerKey.Envelope(Key.Sign(url), "{}"))).DefaultTimeout();

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        using var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync().DefaultTimeout());
        Assert.Equal($"signed for another worker: {url}; this worker is http://203.0.113.7:41234", error.RootElement.GetProperty("error").GetString());
        Assert.Equal(0, Forwarded(marker));
    }

    [Theory]
    [InlineData("http://203.0.113.7:41234")]
    [InlineData("https://203.0.113.7:41234/")]
    [InlineData("HTTPS://203.0.113.7:41234/v1/anything?x=1")]
    [InlineData("203.0.113.7:41234")]
    [InlineData("http://[::ffff:203.0.113.7]:41234")]
    public async Task ThisWorkersUrlInAnySpelling_Accepted(string url)
    {
        var marker = WorkerUrl.Marker();

        using var response = await _fixture.Worker.Client.PostAsync($"/v1/echo/{marker}", Json(TestAutoscalerKey.Envelope(Key.Sign(url), "{}"))).DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, Forwarded(marker));
    }

    [Fact]
    public async Task QueryAndHeaderForms_AreBoundToo()
    {
        var marker = WorkerUrl.Marker();
        var other = Key.Sign("https://203.0.113.8:41234");

        using var query = await _fixture.Worker.Client.GetAsync($"/v1/items/{marker}?{TestAutoscalerKey.QueryParameters(other)}").DefaultTimeout();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/raw/{marker}") { Content = new ByteArrayContent([1, 2, 3]) };
        request.Headers.Add("X-Vespa-Auth-Data", other.ToJson());
        using var header = await _fixture.Worker.Client.SendAsync(request).DefaultTimeout();

        Assert.Equal(HttpStatusCode.Unauthorized, query.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, header.StatusCode);
        Assert.Equal(0, Forwarded(marker));
    }

    [Fact]
    public async Task CheckUrlOff_AnotherWorkersSignatureAccepted()
    {
        await using var worker = await TestWorker.StartAsync(_fixture.Backend.BaseUrl, _fixture.Keys.BaseUrl, ("VESPA_CHECK_URL", "false"));
        var marker = WorkerUrl.Marker();

        using var response = await worker.Client.PostAsync($"/v1/echo/{marker}", Json(TestAutoscalerKey.Envelope(Key.Sign("https://198.51.100.1:9"), "{}"))).DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, Forwarded(marker));
    }

    [Fact]
    public async Task Start_LogsTheExpectedUrl_OrWarnsWhenTheCheckIsOff()
    {
        var on = new CapturedLogs();
        await using (var worker = await TestWorker.StartAsync(on.Attach, _fixture.Backend.BaseUrl, _fixture.Keys.BaseUrl, waitForKey: true, waitForReady: false, time: null, ("VESPA_LOG_LEVEL", "Information")))
        {
            var line = Assert.Single(on.Entries, e => e.Event == "ExpectedUrl");
            Assert.Contains("203.0.113.7:41234", line.Message, StringComparison.Ordinal);
            Assert.False(on.Contains("UrlCheckOff"));
        }

        var off = new CapturedLogs();
        await using (var worker = await TestWorker.StartAsync(off.Attach, _fixture.Backend.BaseUrl, _fixture.Keys.BaseUrl, waitForKey: true, waitForReady: false, time: null, ("VESPA_LOG_LEVEL", "Information"), ("VESPA_CHECK_URL", "false")))
        {
            var warning = Assert.Single(off.Entries, e => e.Event == "UrlCheckOff");
            Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, warning.Level);
            Assert.False(off.Contains("ExpectedUrl"));
        }
    }

    [Fact]
    public async Task PublicAddressUnknown_401SaysWhatToSet()
    {
        await using var worker = await TestWorker.StartAsync(_fixture.Backend.BaseUrl, _fixture.Keys.BaseUrl, ("PUBLIC_IPADDR", ""));
        var marker = WorkerUrl.Marker();

        using var response = await worker.Client.PostAsync($"/v1/echo/{marker}", Json(TestAutoscalerKey.Envelope(Key.Sign(WorkerUrl.Signed), "{}"))).DefaultTimeout();

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync().DefaultTimeout();
        Assert.Contains("PUBLIC_IPADDR", text, StringComparison.Ordinal);
        Assert.Contains("VESPA_CHECK_URL=false", text, StringComparison.Ordinal);
        Assert.Equal(0, Forwarded(marker));
    }
}
