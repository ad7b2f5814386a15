using System.Text.Json;
using Vespa.Core.Envelopes;
using Vespa.Core.Json;

namespace Vespa.Core.Tests.Envelopes;

public sealed class AuthDataTests
{
    [Fact]
    public void TryFromJson_AllSixKeys_Succeeds()
    {
        using var document = JsonDocument.Parse("""{"cost": 100, "endpoint": "ep", "reqnum": 7, "request_idx": 9, "signature": "sig", "url": "https://u", "__request_id": "ignored"}""");

        Assert.True(AuthData.TryFromJson(document.RootElement, out var auth, out var errors));

        Assert.Empty(errors);
        Assert.Equal(100.0, auth!.CostValue);
        Assert.Equal("ep", auth.EndpointText);
        Assert.Equal(7, auth.ReqnumValue);
        Assert.Equal(9, auth.RequestIdxValue);
        Assert.Equal("sig", auth.SignatureText);
        Assert.Equal("https://u", auth.UrlText);
    }

    [Fact]
    public void TryFromJson_ElementsOutliveDocument()
    {
        AuthData? auth;
        using (var document = JsonDocument.Parse("""{"cost": 1, "endpoint": "ep", "reqnum": 7, "request_idx": 9, "signature": "sig", "url": "https://u"}"""))
        {
            Assert.True(AuthData.TryFromJson(document.RootElement, out auth, out _));
        }

        Assert.Equal("https://u", auth!.UrlText);
    }

    [Fact]
    public void TryFromJson_MissingKeys_ReportsEachAsMissingParameter()
    {
        using var document = JsonDocument.Parse("""{"cost": 1, "url": "u"}""");

        Assert.False(AuthData.TryFromJson(document.RootElement, out var auth, out var errors));

        Assert.Null(auth);
        Assert.Equal(["endpoint", "reqnum", "request_idx", "signature"], errors.Keys.Order(StringComparer.Ordinal));
        Assert.All(errors.Values, v => Assert.Equal("missing parameter", v));
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("null")]
    [InlineData("\"x\"")]
    [InlineData("3")]
    public void TryFromJson_NotAnObject_ReportsAuthData(string json)
    {
        using var document = JsonDocument.Parse(json);

        Assert.False(AuthData.TryFromJson(document.RootElement, out _, out var errors));

        Assert.Equal(AuthData.NotAnObject, errors["auth_data"]);
    }

    [Fact]
    public void TryFromJson_WrongTypes_AreAcceptedButAccessorsReturnNull()
    {
        using var document = JsonDocument.Parse("""{"cost": [1], "endpoint": 5, "reqnum": "7", "request_idx": 1.5, "signature": 123, "url": null}""");

        Assert.True(AuthData.TryFromJson(document.RootElement, out var auth, out _));

        Assert.Null(auth!.CostValue);
        Assert.Null(auth.EndpointText);
        Assert.Null(auth.ReqnumValue);
        Assert.Null(auth.RequestIdxValue);
        Assert.Null(auth.SignatureText);
        Assert.Null(auth.UrlText);
    }

    [Theory]
    [InlineData("100", 100.0)]
    [InlineData("\"100\"", 100.0)]
    [InlineData("\" 2.5 \"", 2.5)]
    [InlineData("1e-05", 1e-05)]
    [InlineData("\"nan\"", null)]
    [InlineData("\"inf\"", null)]
    [InlineData("1e400", null)]
    [InlineData("\"abc\"", null)]
    [InlineData("true", null)]
    public void CostValue_Value_IsFiniteNumberOrNull(string cost, double? expected)
    {
        var auth = Make(cost: cost);

        Assert.Equal(expected, auth.CostValue);
    }

    [Theory]
    [InlineData("7", 7L)]
    [InlineData("-3", -3L)]
    [InlineData("9223372036854775807", long.MaxValue)]
    [InlineData("9223372036854775808", null)]
    [InlineData("7.0", null)]
    [InlineData("7e0", null)]
    [InlineData("\"7\"", null)]
    public void ReqnumValue_Value_IsIntegerOrNull(string reqnum, long? expected)
    {
        var auth = Make(reqnum: reqnum, requestIdx: reqnum);

        Assert.Equal(expected, auth.ReqnumValue);
        Assert.Equal(expected, auth.RequestIdxValue);
    }

    [Fact]
    public void SignatureText_LoneSurrogateEscape_DoesNotThrow()
    {
        var auth = Make(signature: "\"ab\\ud800\"");

        Assert.Equal("ab\ud800", auth.SignatureText);
    }

    [Fact]
    public void TryFromQuery_AllAbsent_UsesDefaults()
    {
        Assert.True(AuthData.TryFromQuery(null, null, null, null, null, null, "/generate", out var auth, out var errors));

        Assert.Empty(errors);
        Assert.Equal("1.0", auth!.Cost.GetRawText());
        Assert.Equal("/generate", auth.EndpointText);
        Assert.Equal("0", auth.Reqnum.GetRawText());
        Assert.Equal("0", auth.RequestIdx.GetRawText());
        Assert.Equal(string.Empty, auth.SignatureText);
        Assert.Equal(string.Empty, auth.UrlText);
    }

    [Theory]
    [InlineData("100", "100")]
    [InlineData("100.0", "100.0")]
    [InlineData("1e-05", "1e-05")]
    [InlineData("-2.5E+3", "-2.5E+3")]
    public void TryFromQuery_NumericCost_KeepsTokenForCanonicalForm(string cost, string expectedToken)
    {
        Assert.True(AuthData.TryFromQuery(cost, "ep", "5", "6", "sig", "https://u", "/p", out var auth, out _));

        Assert.Equal(expectedToken, auth!.Cost.GetRawText());
        Assert.Equal(5, auth.ReqnumValue);
        Assert.Equal(6, auth.RequestIdxValue);
        Assert.Equal("ep", auth.EndpointText);
    }

    [Fact]
    public void TryFromQuery_FloatReqnum_IsKeptAsFloatToken()
    {
        Assert.True(AuthData.TryFromQuery(null, null, "1.5", "2e3", null, null, "/", out var auth, out _));

        Assert.Equal("1.5", auth!.Reqnum.GetRawText());
        Assert.Null(auth.ReqnumValue);
        Assert.Equal("2000.0", PythonJson.Serialize(auth.RequestIdx));
    }

    [Theory]
    [InlineData("abc", null, null, "serverless_cost")]
    [InlineData(null, " 7", null, "serverless_reqnum")]
    [InlineData(null, null, "0x1", "serverless_request_idx")]
    [InlineData("1_0", null, null, "serverless_cost")]
    [InlineData("", null, null, "serverless_cost")]
    [InlineData(null, "NaN", null, "serverless_reqnum")]
    public void TryFromQuery_NotANumber_ReportsTheParameter(string? cost, string? reqnum, string? requestIdx, string parameter)
    {
        Assert.False(AuthData.TryFromQuery(cost, null, reqnum, requestIdx, null, null, "/", out var auth, out var errors));

        Assert.Null(auth);
        Assert.Equal("must be a number", Assert.Single(errors, e => e.Key == parameter).Value);
    }

    [Fact]
    public void FromQuery_Invalid_ThrowsFormatException()
    {
        var error = Assert.Throws<FormatException>(() => AuthData.FromQuery(null, null, "x", null, null, null, "/"));

        Assert.Contains("serverless_reqnum", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_TypedValues_UseFloatCostAndIntCounters()
    {
        var auth = AuthData.Create(100, "ep", 1, 2, "sig", "https://u");

        Assert.Equal("""{"cost":100.0,"endpoint":"ep","reqnum":1,"request_idx":2,"signature":"sig","url":"https://u"}""", auth.ToJson());
    }

    [Fact]
    public void WithSignature_NewSignature_KeepsOtherFields()
    {
        var auth = AuthData.Create(1, "ep", 3, 4, "old", "https://u").WithSignature("new");

        Assert.Equal("new", auth.SignatureText);
        Assert.Equal("https://u", auth.UrlText);
        Assert.Equal(3, auth.ReqnumValue);
    }

    [Fact]
    public void ToJson_ParsedValues_KeepsNumberTokens()
    {
        var auth = Make(cost: "1E2", reqnum: "12345678901234567890");

        var json = auth.ToJson();

        Assert.Contains("\"cost\":1E2", json, StringComparison.Ordinal);
        Assert.Contains("\"reqnum\":12345678901234567890", json, StringComparison.Ordinal);
    }

    private static AuthData Make(string cost = "1", string reqnum = "1", string requestIdx = "1", string signature = "\"s\"")
    {
        var json = $$"""{"cost": {{cost}}, "endpoint": "e", "reqnum": {{reqnum}}, "request_idx": {{requestIdx}}, "signature": {{signature}}, "url": "u"}""";
        using var document = JsonDocument.Parse(json);
        Assert.True(AuthData.TryFromJson(document.RootElement, out var auth, out _));
        return auth!;
    }
}
