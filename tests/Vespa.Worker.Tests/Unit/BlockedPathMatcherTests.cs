using Vespa.Worker.Envelopes;

namespace Vespa.Worker.Tests.Unit;

public sealed class BlockedPathMatcherTests
{
    [Theory]
    [InlineData("/admin/*", "/admin/users", true)]
    [InlineData("/admin/*", "/admin/a/b/c", true)] // fnmatch: * crosses '/'
    [InlineData("/admin/*", "/Admin/users", false)] // case-sensitive
    [InlineData("/admin/*", "//admin/users", true)] // repeated slashes collapsed
    [InlineData("/debug", "/debug", true)]
    [InlineData("/debug", "/debug2", false)]
    [InlineData("/v?/x", "/v1/x", true)]
    [InlineData("/v[12]/x", "/v2/x", true)]
    [InlineData("/v[!12]/x", "/v2/x", false)]
    [InlineData("/v[!12]/x", "/v3/x", true)]
    [InlineData("*.php", "/index.php", true)]
    [InlineData("/a.b", "/aXb", false)] // '.' is literal
    public void IsBlocked_FollowsFnmatch(string glob, string path, bool expected)
    {
        Assert.Equal(expected, new BlockedPathMatcher([glob]).IsBlocked(path));
    }

    [Fact]
    public void IsBlocked_NoGlobs_NothingBlocked()
    {
        var matcher = new BlockedPathMatcher([]);

        Assert.True(matcher.IsEmpty);
        Assert.False(matcher.IsBlocked("/anything"));
    }
}
