using Vespa.Worker.Sessions;

namespace Vespa.Worker.Tests.Unit;

public sealed class SessionCloseRouteTests
{
    [Theory]
    [InlineData("/closed")]
    [InlineData("/v1/sessions/closed")]
    [InlineData("/closed?job=7&x=a%2Fb")]
    [InlineData("/caf%C3%A9")]
    [InlineData("/a.b/..c/.d")]
    public void Problem_PlainBackendPath_IsNone(string route) => Assert.Null(SessionCloseRoute.Problem(route));

    [Theory]
    [InlineData("", "single '/'")]
    [InlineData("closed", "single '/'")]
    [InlineData("http://evil.example/x", "single '/'")]
    [InlineData("//evil.example/x", "single '/'")]
    [InlineData("/\\evil.example/x", "'\\'")]
    [InlineData("/x y", "without spaces")]
    [InlineData("/x\ty", "without spaces")]
    [InlineData("/x#frag", "'#'")]
    [InlineData("/caf\u00e9", "printable ASCII")]
    [InlineData("/x/../admin", "'..' segments")]
    [InlineData("/x/./admin", "'..' segments")]
    [InlineData("/x/..", "'..' segments")]
    [InlineData("/x/%2e%2E/admin", "'..' segments")]
    [InlineData("/x%2Fadmin", "%2F")]
    [InlineData("/x%2fadmin", "%2F")]
    [InlineData("/x%5Cadmin", "%5C")]
    [InlineData("/x%zz", "invalid percent-encoding")]
    [InlineData("/x%2", "invalid percent-encoding")]
    public void Problem_UnsafeRoute_IsNamed(string route, string expected)
    {
        var problem = SessionCloseRoute.Problem(route);

        Assert.NotNull(problem);
        Assert.Contains(expected, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Problem_TooLong_IsNamed() =>
        Assert.Contains("at most 2048", SessionCloseRoute.Problem("/" + new string('a', 2048)), StringComparison.Ordinal);

    [Theory]
    [InlineData("/%61dmin/reset?x=%2F", "/admin/reset")]
    [InlineData("/closed", "/closed")]
    public void DecodedPath_IsWhatTheBackendRoutes(string route, string expected) =>
        Assert.Equal(expected, SessionCloseRoute.DecodedPath(route));
}
