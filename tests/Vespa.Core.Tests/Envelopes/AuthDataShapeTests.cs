using System.Text.Json;
using Vespa.Core.Envelopes;
using Vespa.Core.Signatures;

namespace Vespa.Core.Tests.Envelopes;

/// <summary>Issue 9, finding 6: auth_data values are bounded before a canonical message is built.</summary>
public sealed class AuthDataShapeTests
{
    private static (bool Ok, Dictionary<string, string> Errors) Read(string urlJson)
    {
        using var document = JsonDocument.Parse($$"""{"cost": 1, "endpoint": "ep", "reqnum": 1, "request_idx": 1, "signature": "s", "url": {{urlJson}}}""", new JsonDocumentOptions { MaxDepth = 2000 });
        var ok = AuthData.TryFromJson(document.RootElement, out _, out var errors);
        return (ok, errors);
    }

    [Theory]
    [InlineData("\"https://203.0.113.7:41234\"")]
    [InlineData("1e308")]
    [InlineData("5e-324")]
    [InlineData("-0.0")]
    [InlineData("123456789012345678901234567890")]
    [InlineData("true")]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("[1, \"a\", [2, 3]]")]
    [InlineData("{\"a\": {\"b\": 1}}")]
    public void WithinBounds_Accepted(string urlJson)
    {
        Assert.True(Read(urlJson).Ok);
    }

    [Theory]
    [InlineData(3, "is nested more than 2 levels deep")]
    [InlineData(500, "is nested more than 2 levels deep")]
    public void DeepNesting_RefusedNamingTheField(int depth, string problem)
    {
        var (ok, errors) = Read(new string('[', depth) + new string(']', depth));

        Assert.False(ok);
        Assert.Equal(problem, errors["url"]);
    }

    [Fact]
    public void LongString_TooManyValues_LongNumber_Refused()
    {
        Assert.Contains("string of", Read("\"" + new string('a', AuthDataShape.MaxStringBytes + 1) + "\"").Errors["url"], StringComparison.Ordinal);
        Assert.Contains("more than 64 values", Read("[" + string.Join(',', Enumerable.Repeat("0", 64)) + "]").Errors["url"], StringComparison.Ordinal);
        Assert.Contains("number of", Read(new string('9', AuthDataShape.MaxNumberLength + 1)).Errors["url"], StringComparison.Ordinal);
        Assert.Contains("bytes of JSON", Read("[" + string.Join(',', Enumerable.Repeat("\"" + new string('b', 8000) + "\"", 3)) + "]").Errors["url"], StringComparison.Ordinal);
    }

    [Fact]
    public void AnythingWithinBounds_CanonicalMessageStaysSmall()
    {
        // The worst shape the bounds allow still canonicalises to a few hundred KB at most.
        var item = "[\"" + new string('\u00e9', 900) + "\"]";
        var url = "[" + string.Join(',', Enumerable.Repeat(item, 7)) + "]";
        using var document = JsonDocument.Parse($$"""{"cost": 1, "endpoint": "ep", "reqnum": 1, "request_idx": 1, "signature": "s", "url": {{url}}}""");
        Assert.True(AuthData.TryFromJson(document.RootElement, out var auth, out _));

        Assert.True(SignedMessages.ForLegacyScheme(auth!).Length < 256 * 1024);
    }

    [Fact]
    public void QueryForm_OverlongNumberToken_Refused()
    {
        Assert.False(AuthData.TryFromQuery("1" + new string('0', 200), null, null, null, "s", "u", "/p", out _, out var errors));
        Assert.Equal(AuthData.NotANumber, errors["serverless_cost"]);
    }
}
