using System.Net;
using System.Text;
using Vespa.Testing;
using Vespa.Worker.Tests.Infrastructure;

namespace Vespa.Worker.Tests.Integration;

/// <summary>
/// <c>vespa_worker_response_bytes_total</c> and <c>vespa_worker_time_to_first_byte_seconds</c>, taken when the
/// backend's headers arrive (issue 10): a response with Content-Length is counted from it, with no stream wrapper; a
/// stream without one is counted as it is written.
/// </summary>
public sealed class ResponseMetricsTests : IClassFixture<ProxyFixture>
{
    private readonly ProxyFixture _fixture;

    public ResponseMetricsTests(ProxyFixture fixture)
    {
        _fixture = fixture;
    }

    [Theory]
    [InlineData("/binary?size=1000&declare_length=1", 1000)]
    [InlineData("/binary?size=777", 777)]
    [InlineData("/sse?chunks=3", 0)]
    public async Task ForwardedResponse_BytesAndFirstByteCounted(string path, int expectedLength)
    {
        var (bytesBefore, firstBytesBefore) = await ReadAsync();

        using var content = new StringContent(TestAutoscalerKey.Envelope(TestAutoscalerKey.Shared.Sign(WorkerUrl.Signed), "{}"), Encoding.UTF8, "application/json");
        using var response = await _fixture.Worker.Client.PostAsync(path, content).DefaultTimeout();
        var body = await response.Content.ReadAsByteArrayAsync().DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        if (expectedLength > 0)
        {
            Assert.Equal(expectedLength, body.Length);
        }

        // The metrics are updated when the exchange ends, just after the client has read the last byte.
        var deadline = DateTime.UtcNow + TaskTimeoutExtensions.Timeout;
        var (bytesAfter, firstBytesAfter) = await ReadAsync();
        while (bytesAfter < bytesBefore + body.Length && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
            (bytesAfter, firstBytesAfter) = await ReadAsync();
        }

        Assert.Equal(bytesBefore + body.Length, bytesAfter);
        Assert.Equal(firstBytesBefore + 1, firstBytesAfter);
    }

    private async Task<(double Bytes, double FirstBytes)> ReadAsync()
    {
        var samples = PrometheusSample.Parse(await _fixture.Worker.Client.GetStringAsync("/metrics").DefaultTimeout());
        double Value(string name) => samples.Where(s => s.Name == name).Select(s => s.Value).DefaultIfEmpty(0).Single();
        return (Value("vespa_worker_response_bytes_total"), Value("vespa_worker_time_to_first_byte_seconds_count"));
    }
}
