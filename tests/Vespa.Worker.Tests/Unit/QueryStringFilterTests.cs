using Microsoft.AspNetCore.Http;
using Vespa.Worker.Forwarding;

namespace Vespa.Worker.Tests.Unit;

public sealed class QueryStringFilterTests
{
    [Theory]
    [InlineData("", "")]
    [InlineData("?a=1", "?a=1")]
    [InlineData("?a=1&serverless_cost=2&a=3", "?a=1&a=3")]
    [InlineData("?serverless_cost=1&serverless_signature=x", "")]
    [InlineData("?x=%2F%20&serverless%5Furl=u&y", "?x=%2F%20&y")] // encoded names are recognised; kept values stay encoded
    [InlineData("?api_key=secret&q=1", "?q=1")]
    [InlineData("?q=serverless_x", "?q=serverless_x")] // only names count
    public void Filter_RemovesEnvelopeParameters_KeepsTheRestVerbatim(string input, string expected)
    {
        var result = QueryStringFilter.Filter(new QueryString(input.Length == 0 ? null : input));

        Assert.Equal(expected, result.Value ?? "");
    }
}
