using System.Text;
using System.Text.Json;
using Vespa.Core.Json;

namespace Vespa.Core.Tests.Json;

public sealed class PythonJsonTests
{
    [Theory]
    [InlineData(100.0, "100.0")]
    [InlineData(1e15, "1000000000000000.0")]
    [InlineData(1e16, "1e+16")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(1e-05, "1e-05")]
    [InlineData(1.5e-07, "1.5e-07")]
    [InlineData(1.2345678901234568e+17, "1.2345678901234568e+17")]
    [InlineData(1.0 / 3.0, "0.3333333333333333")]
    [InlineData(0.1, "0.1")]
    [InlineData(3.0000000000000004, "3.0000000000000004")]
    [InlineData(5e-324, "5e-324")]
    [InlineData(1.7976931348623157e308, "1.7976931348623157e+308")]
    [InlineData(-0.0, "-0.0")]
    [InlineData(0.0, "0.0")]
    [InlineData(-2.5, "-2.5")]
    [InlineData(123456.789, "123456.789")]
    [InlineData(1e100, "1e+100")]
    [InlineData(double.PositiveInfinity, "Infinity")]
    [InlineData(double.NegativeInfinity, "-Infinity")]
    [InlineData(double.NaN, "NaN")]
    public void FormatFloat_Value_MatchesPythonRepr(double value, string expected)
    {
        Assert.Equal(expected, PythonJson.FormatFloat(value));
    }

    [Theory]
    [InlineData("plain", "\"plain\"")]
    [InlineData("a\"b\\c", "\"a\\\"b\\\\c\"")]
    [InlineData("\n\r\t\b\f", "\"\\n\\r\\t\\b\\f\"")]
    [InlineData("\u0000\u001f\u007f", "\"\\u0000\\u001f\\u007f\"")]
    [InlineData("/", "\"/\"")]
    [InlineData("\u00e9\u20ac\uffff", "\"\\u00e9\\u20ac\\uffff\"")]
    [InlineData("\U0001F600", "\"\\ud83d\\ude00\"")]
    [InlineData("", "\"\"")]
    public void QuoteString_Value_UsesEnsureAsciiEscapes(string value, string expected)
    {
        Assert.Equal(expected, PythonJson.QuoteString(value));
    }

    [Fact]
    public void QuoteString_LoneSurrogates_AreEscapedAsIs()
    {
        var value = new string(['\ud800', 'x', '\udc00']);

        Assert.Equal("\"\\ud800x\\udc00\"", PythonJson.QuoteString(value));
    }

    [Fact]
    public void Serialize_NestedExampleFromProtocolDoc_UsesPythonLayout()
    {
        using var document = JsonDocument.Parse("""{"c":[1,{"x":1}]}""");

        var actual = PythonJson.Serialize(document.RootElement);

        Assert.Equal("{\n    \"c\": [\n        1,\n        {\n            \"x\": 1\n        }\n    ]\n}", actual);
    }

    [Fact]
    public void Serialize_EmptyContainers_PrintWithoutNewlines()
    {
        using var document = JsonDocument.Parse("""{"a":{},"b":[]}""");

        Assert.Equal("{\n    \"a\": {},\n    \"b\": []\n}", PythonJson.Serialize(document.RootElement));
    }

    [Fact]
    public void Serialize_DuplicateKeys_LastValueWins()
    {
        using var document = JsonDocument.Parse("""{"b":1,"a":2,"b":3}""");

        Assert.Equal("{\n    \"a\": 2,\n    \"b\": 3\n}", PythonJson.Serialize(document.RootElement));
    }

    [Fact]
    public void Serialize_EscapedAndPlainSpellingsOfOneKey_AreDuplicates()
    {
        using var document = JsonDocument.Parse("""{"ab":1,"a\u0062":2}""");

        Assert.Equal("{\n    \"ab\": 2\n}", PythonJson.Serialize(document.RootElement));
    }

    [Fact]
    public void Serialize_NonBmpKeyAgainstPrivateUseKey_SortsByCodePoint()
    {
        using var document = JsonDocument.Parse("{\"\U0001F600\":1,\"\uE000\":2}");

        var actual = PythonJson.Serialize(document.RootElement);

        // UTF-16 ordinal order would put the emoji (0xD83D...) first.
        Assert.Equal("{\n    \"\\ue000\": 2,\n    \"\\ud83d\\ude00\": 1\n}", actual);
    }

    [Theory]
    [InlineData("100", "100")]
    [InlineData("100.0", "100.0")]
    [InlineData("1e2", "100.0")]
    [InlineData("1E+2", "100.0")]
    [InlineData("-0", "0")]
    [InlineData("-0.0", "-0.0")]
    [InlineData("1e400", "Infinity")]
    [InlineData("-1e400", "-Infinity")]
    [InlineData("123456789012345678901234567890123", "123456789012345678901234567890123")]
    [InlineData("-98765432109876543210987654321", "-98765432109876543210987654321")]
    public void Serialize_NumberToken_KeepsPythonIntFloatSplit(string token, string expected)
    {
        using var document = JsonDocument.Parse(token);

        Assert.Equal(expected, PythonJson.Serialize(document.RootElement));
    }

    [Fact]
    public void Serialize_EscapedSlashInString_IsEmittedUnescaped()
    {
        using var document = JsonDocument.Parse("""{"url":"https:\/\/h:1\/"}""");

        Assert.Equal("{\n    \"url\": \"https://h:1/\"\n}", PythonJson.Serialize(document.RootElement));
    }

    [Fact]
    public void Serialize_LoneSurrogateEscape_IsKeptLikePython()
    {
        using var document = JsonDocument.Parse("""["\ud800", "\udc00x"]""");

        Assert.Equal("[\n    \"\\ud800\",\n    \"\\udc00x\"\n]", PythonJson.Serialize(document.RootElement));
    }

    [Fact]
    public void Serialize_RawUtf8NonAscii_EscapesEveryUtf16Unit()
    {
        using var document = JsonDocument.Parse(Encoding.UTF8.GetBytes("\"\u00e9\U0001F44D\u007f\""));

        Assert.Equal("\"\\u00e9\\ud83d\\udc4d\\u007f\"", PythonJson.Serialize(document.RootElement));
    }

    [Fact]
    public void Serialize_InvalidUtf8InString_ThrowsFormatException()
    {
        // System.Text.Json does not validate UTF-8 inside strings; Python could never hold such a string.
        using var document = JsonDocument.Parse(new byte[] { (byte)'"', 0xC3, (byte)'"' });

        Assert.Throws<FormatException>(() => PythonJson.Serialize(document.RootElement));
    }

    [Fact]
    public void Serialize_LongAsciiString_IsCopiedWhole()
    {
        var text = new string('x', 1000) + "\"" + new string('y', 300);
        using var document = JsonDocument.Parse(JsonSerializer.Serialize(text, CoreTestJsonContext.Default.String));

        Assert.Equal("\"" + new string('x', 1000) + "\\\"" + new string('y', 300) + "\"", PythonJson.Serialize(document.RootElement));
    }

    [Fact]
    public void SerializeObject_UrlOnlyMessage_MatchesSignedBytes()
    {
        var members = new[] { KeyValuePair.Create("url", JsonValues.FromString("https://203.0.113.7:41234")) };

        Assert.Equal("{\n    \"url\": \"https://203.0.113.7:41234\"\n}", PythonJson.SerializeObject(members));
    }

    [Fact]
    public void SerializeObject_LegacyFields_MatchesProtocolDocExample()
    {
        var members = new Dictionary<string, JsonElement>
        {
            ["url"] = JsonValues.FromString("https://1.2.3.4:40123"),
            ["reqnum"] = JsonValues.FromInt64(123),
            ["cost"] = JsonValues.FromDouble(100.0),
            ["request_idx"] = JsonValues.FromInt64(456),
            ["endpoint"] = JsonValues.FromString("my-ep"),
        };

        var expected = "{\n    \"cost\": 100.0,\n    \"endpoint\": \"my-ep\",\n    \"reqnum\": 123,\n"
            + "    \"request_idx\": 456,\n    \"url\": \"https://1.2.3.4:40123\"\n}";
        Assert.Equal(expected, PythonJson.SerializeObject(members));
    }

    [Fact]
    public void SerializeObject_DuplicateKeys_LastValueWins()
    {
        var members = new[]
        {
            KeyValuePair.Create("k", JsonValues.FromInt64(1)),
            KeyValuePair.Create("a", JsonValues.FromInt64(2)),
            KeyValuePair.Create("k", JsonValues.FromInt64(3)),
        };

        Assert.Equal("{\n    \"a\": 2,\n    \"k\": 3\n}", PythonJson.SerializeObject(members));
    }

    [Fact]
    public void SerializeObject_NoMembers_PrintsEmptyObject()
    {
        Assert.Equal("{}", PythonJson.SerializeObject([]));
    }

    [Fact]
    public void SerializeObject_LazySequence_IsEnumeratedOnce()
    {
        var calls = 0;
        IEnumerable<KeyValuePair<string, JsonElement>> Members()
        {
            calls++;
            yield return KeyValuePair.Create("b", JsonValues.FromInt64(1));
            yield return KeyValuePair.Create("a", JsonValues.FromInt64(2));
        }

        Assert.Equal("{\n    \"a\": 2,\n    \"b\": 1\n}", PythonJson.SerializeObject(Members()));
        Assert.Equal(1, calls);
    }

    [Fact]
    public void SerializeObjectToUtf8Bytes_Members_EqualsAsciiOfText()
    {
        var members = new[] { KeyValuePair.Create("url", JsonValues.FromString("\u00e9")) };

        Assert.Equal(Encoding.ASCII.GetBytes("{\n    \"url\": \"\\u00e9\"\n}"), PythonJson.SerializeObjectToUtf8Bytes(members));
    }

    [Theory]
    [InlineData("1", false)]
    [InlineData("-12", false)]
    [InlineData("1.0", true)]
    [InlineData("1e5", true)]
    [InlineData("1E5", true)]
    public void IsFloatToken_Token_DetectsPythonFloat(string token, bool expected)
    {
        Assert.Equal(expected, PythonJson.IsFloatToken(Encoding.ASCII.GetBytes(token)));
    }
}
