using System.Net;
using System.Net.Sockets;
using System.Text;
using Vespa.Testing;
using Vespa.Worker.Hosting;

namespace Vespa.Worker.Tests.Integration;

/// <summary>
/// Issue 9, finding 2: what a caller can make the worker hold before authentication is bounded by
/// Kestrel's limits (KestrelLimits), not only by the body budget. Each limit is hit by a real
/// request on a real socket, and nothing reaches the backend.
/// </summary>
public sealed class KestrelLimitsTests : IClassFixture<ProxyFixture>
{
    private readonly ProxyFixture _fixture;

    public KestrelLimitsTests(ProxyFixture fixture)
    {
        _fixture = fixture;
    }

    private int Forwarded(string marker) => _fixture.Backend.Requests.Count(r => r.Path.Contains(marker, StringComparison.Ordinal));

    [Fact]
    public async Task HeadersAboveTheTotalLimit_431_NothingForwarded()
    {
        var marker = WorkerUrl.Marker();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/items/{marker}");
        request.Headers.Add("X-Padding", new string('a', KestrelLimits.MaxRequestHeadersTotalSize + 1024));

        using var response = await _fixture.Worker.Client.SendAsync(request).DefaultTimeout();

        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, response.StatusCode);
        Assert.Equal(0, Forwarded(marker));
    }

    [Fact]
    public async Task MoreHeadersThanTheCount_431_NothingForwarded()
    {
        var marker = WorkerUrl.Marker();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/items/{marker}");
        for (var i = 0; i <= KestrelLimits.MaxRequestHeaderCount; i++)
        {
            request.Headers.Add($"X-H{i}", "1");
        }

        using var response = await _fixture.Worker.Client.SendAsync(request).DefaultTimeout();

        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, response.StatusCode);
        Assert.Equal(0, Forwarded(marker));
    }

    [Fact]
    public async Task RequestLineAboveTheLimit_414_NothingForwarded()
    {
        var marker = WorkerUrl.Marker();
        var target = $"/v1/items/{marker}?q={new string('a', KestrelLimits.MaxRequestLineSize)}";

        var status = await RawStatusAsync($"GET {target} HTTP/1.1\r\nHost: x\r\n\r\n");

        Assert.Equal(414, status);
        Assert.Equal(0, Forwarded(marker));
    }

    private async Task<int> RawStatusAsync(string request)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(_fixture.Worker.BaseUrl.Host, _fixture.Worker.BaseUrl.Port).DefaultTimeout();
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request)).AsTask().DefaultTimeout();
        using var reader = new StreamReader(stream, Encoding.ASCII);
        var statusLine = await reader.ReadLineAsync().DefaultTimeout() ?? "";
        return int.Parse(statusLine.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
    }
}
