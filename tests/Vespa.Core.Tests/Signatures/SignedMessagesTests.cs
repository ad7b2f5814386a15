using System.Text;
using System.Text.Json;
using Vespa.Core.Envelopes;
using Vespa.Core.Signatures;

namespace Vespa.Core.Tests.Signatures;

public sealed class SignedMessagesTests
{
    [Fact]
    public void ForUrlScheme_TypicalUrl_IsProtocolDocBytes()
    {
        var auth = AuthData.Create(100, "my-ep", 1, 2, "sig", "https://203.0.113.7:41234");

        var message = SignedMessages.ForUrlScheme(auth);

        Assert.Equal("{\n    \"url\": \"https://203.0.113.7:41234\"\n}", Encoding.ASCII.GetString(message));
    }

    [Fact]
    public void ForLegacyScheme_DocExample_IsProtocolDocBytes()
    {
        var auth = AuthData.Create(100, "my-ep", 123, 456, "sig", "https://1.2.3.4:40123");

        var message = SignedMessages.ForLegacyScheme(auth);

        var expected = "{\n    \"cost\": 100.0,\n    \"endpoint\": \"my-ep\",\n    \"reqnum\": 123,\n    \"request_idx\": 456,\n"
            + "    \"url\": \"https://1.2.3.4:40123\"\n}";
        Assert.Equal(expected, Encoding.ASCII.GetString(message));
    }

    [Fact]
    public void ForLegacyScheme_ParsedTokens_KeepPythonIntFloatSplit()
    {
        using var document = JsonDocument.Parse("""{"cost": 1E2, "endpoint": "e\/p", "reqnum": -0, "request_idx": 12345678901234567890123, "signature": "s", "url": "\u00e9"}""");
        Assert.True(AuthData.TryFromJson(document.RootElement, out var auth, out _));

        var message = Encoding.ASCII.GetString(SignedMessages.ForLegacyScheme(auth!));

        var expected = "{\n    \"cost\": 100.0,\n    \"endpoint\": \"e/p\",\n    \"reqnum\": 0,\n"
            + "    \"request_idx\": 12345678901234567890123,\n    \"url\": \"\\u00e9\"\n}";
        Assert.Equal(expected, message);
    }

    [Fact]
    public void ForUrlScheme_NestedUrlValue_IsIndentedUnderTheKey()
    {
        using var document = JsonDocument.Parse("""{"cost": 1, "endpoint": "e", "reqnum": 1, "request_idx": 1, "signature": "s", "url": {"b": [1], "a": {}}}""");
        Assert.True(AuthData.TryFromJson(document.RootElement, out var auth, out _));

        var message = Encoding.ASCII.GetString(SignedMessages.ForUrlScheme(auth!));

        Assert.Equal("{\n    \"url\": {\n        \"a\": {},\n        \"b\": [\n            1\n        ]\n    }\n}", message);
    }

    [Fact]
    public void For_Auto_Throws()
    {
        var auth = AuthData.Create(1, "e", 1, 1, "s", "u");

        Assert.Throws<ArgumentException>(() => SignedMessages.For(auth, SignatureScheme.Auto));
    }

    [Theory]
    [InlineData("url", SignatureScheme.Url)]
    [InlineData("URL", SignatureScheme.Url)]
    [InlineData(" Legacy ", SignatureScheme.Legacy)]
    [InlineData("auto", SignatureScheme.Auto)]
    [InlineData("AuTo", SignatureScheme.Auto)]
    public void SchemeParser_KnownName_Parses(string text, SignatureScheme expected)
    {
        Assert.True(SignatureSchemeParser.TryParse(text, out var scheme));
        Assert.Equal(expected, scheme);
        Assert.Equal(expected, SignatureSchemeParser.Parse(text));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("pss")]
    [InlineData("url-only")]
    public void SchemeParser_UnknownName_Fails(string? text)
    {
        Assert.False(SignatureSchemeParser.TryParse(text, out _));
        Assert.Throws<FormatException>(() => SignatureSchemeParser.Parse(text));
    }

    [Fact]
    public void SchemeParser_ToName_RoundTrips()
    {
        foreach (var scheme in Enum.GetValues<SignatureScheme>())
        {
            Assert.Equal(scheme, SignatureSchemeParser.Parse(SignatureSchemeParser.ToName(scheme)));
        }
    }
}
