using Vespa.Testing;
using Vespa.Worker.Tests.Infrastructure;

namespace Vespa.Worker.Tests.Integration;

/// <summary>
/// Issue 9, finding 4: a blocked path must stay blocked however it is spelled. The backend
/// (uvicorn/Starlette and others) decodes <c>%2F</c> before routing, so the worker refuses paths
/// with encoded separators or dot segments (400) unless told to allow them, and then matches the
/// decoded forms against the globs.
/// </summary>
public sealed class PathSafetyTests : IAsyncLifetime
{
    private FakeBackend _backend = null!;
    private TestWorker _strict = null!;
    private TestWorker _lenient = null!;

    public async Task InitializeAsync()
    {
        _backend = await FakeBackend.StartAsync();
        _strict = await TestWorker.StartAsync(_backend.BaseUrl, null, ("VESPA_BLOCKED_PATHS", "/admin/*,/internal"));
        _lenient = await TestWorker.StartAsync(_backend.BaseUrl, null, ("VESPA_BLOCKED_PATHS", "/admin/*,/internal"), ("VESPA_ALLOW_ENCODED_SLASHES", "true"));
    }

    public async Task DisposeAsync()
    {
        await _lenient.DisposeAsync();
        await _strict.DisposeAsync();
        await _backend.DisposeAsync();
    }

    private int Forwarded(string marker) => _backend.Requests.Count(r => (r.RawTarget ?? r.Path).Contains(marker, StringComparison.Ordinal));

    [Theory]
    [InlineData("/admin%2Fusers")]
    [InlineData("/admin%2fusers")]
    [InlineData("/admin%5Cusers")]
    [InlineData("/admin%5cusers")]
    [InlineData("/v1/..%2Finternal")]
    [InlineData("/v1/%2e%2e%2Finternal")]
    [InlineData("/v1/models%2Fllama")]
    public async Task EncodedSeparatorOrDotSegment_400AndNothingForwarded(string target)
    {
        var marker = WorkerUrl.Marker();

        var response = await RawHttp.SendAsync(_strict.BaseUrl, "POST", $"{target}?m={marker}", "{}");

        Assert.Equal(400, response.Status);
        Assert.Contains("VESPA_ALLOW_ENCODED_SLASHES", response.Body, StringComparison.Ordinal);
        Assert.Equal(0, Forwarded(marker));
    }

    [Theory]
    [InlineData("/admin/users")]
    [InlineData("/x/../internal")]
    [InlineData("/v1/.%2E/internal")] // Kestrel decodes %2E and resolves the segment itself: the backend gets /internal
    [InlineData("//admin/x")]
    public async Task PlainBlockedPath_StillAnswers403(string target)
    {
        var marker = WorkerUrl.Marker();

        var response = await RawHttp.SendAsync(_strict.BaseUrl, "GET", $"{target}?m={marker}");

        Assert.Equal(403, response.Status);
        Assert.Equal(0, Forwarded(marker));
    }

    [Theory]
    [InlineData("/admin%2Fusers")]
    [InlineData("/admin%5Cusers")]
    [InlineData("/v1/..%2Finternal")]
    [InlineData("/v1/%2e%2e%2Fadmin%2Fx")]
    public async Task AllowEncodedSlashes_DecodedFormMatchedAgainstTheGlobs_403(string target)
    {
        var marker = WorkerUrl.Marker();

        var response = await RawHttp.SendAsync(_lenient.BaseUrl, "GET", $"{target}?m={marker}");

        Assert.Equal(403, response.Status);
        Assert.Equal(0, Forwarded(marker));
    }

    [Fact]
    public async Task AllowEncodedSlashes_UnblockedEncodedPath_ForwardedAsSent()
    {
        var marker = WorkerUrl.Marker();

        var response = await RawHttp.SendAsync(_lenient.BaseUrl, "GET", $"/v1/models/org%2Fmodel?m={marker}");

        Assert.Equal(200, response.Status);
        var forwarded = Assert.Single(_backend.Requests, r => (r.RawTarget ?? "").Contains(marker, StringComparison.Ordinal));
        Assert.Equal($"/v1/models/org%2Fmodel?m={marker}", forwarded.RawTarget);
    }

    [Fact]
    public async Task OrdinaryPath_Forwarded()
    {
        var marker = WorkerUrl.Marker();

        var response = await RawHttp.SendAsync(_strict.BaseUrl, "GET", $"/v1/models/a.b-c_d~e?m={marker}");

        Assert.Equal(200, response.Status);
        Assert.Equal(1, Forwarded(marker));
    }
}
