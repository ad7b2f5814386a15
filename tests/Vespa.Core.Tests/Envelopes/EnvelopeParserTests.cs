using System.Text;
using System.Text.Json;
using Vespa.Core.Envelopes;

namespace Vespa.Core.Tests.Envelopes;

public sealed class EnvelopeParserTests
{
    private const string Auth = """{"cost": 100, "endpoint": "ep", "reqnum": 1, "request_idx": 2, "signature": "c2ln", "url": "https://h:1"}""";

    [Fact]
    public void Parse_CompleteEnvelope_IsValidAndSlicesPayloadExactly()
    {
        var payload = """{ "prompt" : "a {brace} and \"quote\" ]" ,"n":[1, 2.50 ,{}] }""";
        var body = Bytes($$"""{"auth_data": {{Auth}}, "session_id": null, "payload": {{payload}}}""");

        var result = EnvelopeParser.Parse(body);

        Assert.True(result.IsValid);
        Assert.True(result.IsJson);
        Assert.True(result.IsObject);
        Assert.True(result.HasAuthData);
        Assert.Empty(result.FieldErrors);
        Assert.Null(result.Error);
        Assert.Equal(payload, Text(result.Payload!.Value));
        Assert.Equal(JsonValueKind.Object, result.PayloadKind);
        Assert.Equal("https://h:1", result.AuthData!.UrlText);
        Assert.Equal(JsonValueKind.Null, result.SessionId!.Value.ValueKind);
        Assert.Null(result.SessionIdText);
    }

    [Fact]
    public void Parse_PayloadRange_PointsIntoOriginalBuffer()
    {
        var body = Bytes($$"""{"payload":   [1,2]   , "auth_data": {{Auth}}}""");

        var result = EnvelopeParser.Parse(body);

        var range = result.PayloadRange!.Value;
        Assert.Equal("[1,2]", Text(body.AsMemory()[range]));
        Assert.Equal(body.AsSpan().IndexOf("[1,2]"u8), range.Start.Value);
    }

    [Fact]
    public void Parse_WhitespaceAndNewlines_AreNotPartOfPayload()
    {
        var body = Bytes("{\n\t\"auth_data\" :\r\n" + Auth + " ,\n \"payload\" :\n\t {\"a\" :\n 1}\n\t}\n");

        var result = EnvelopeParser.Parse(body);

        Assert.Equal("{\"a\" :\n 1}", Text(result.Payload!.Value));
    }

    [Fact]
    public void Parse_UnicodePayload_KeepsRawBytesAndEscapes()
    {
        var payload = "{\"t\": \"h\u00e9llo \U0001F600 \\u00e9 \\ud83d\\ude00 \\/\"}";
        var body = Bytes($$"""{"auth_data": {{Auth}}, "payload": {{payload}}}""");

        var result = EnvelopeParser.Parse(body);

        Assert.Equal(Bytes(payload), result.Payload!.Value.ToArray());
    }

    [Theory]
    [InlineData("{\"x\": 1}", JsonValueKind.Object)]
    [InlineData("[1, \"2\"]", JsonValueKind.Array)]
    [InlineData("\"text with } and ]\"", JsonValueKind.String)]
    [InlineData("-12.5e3", JsonValueKind.Number)]
    [InlineData("0", JsonValueKind.Number)]
    [InlineData("true", JsonValueKind.True)]
    [InlineData("false", JsonValueKind.False)]
    [InlineData("null", JsonValueKind.Null)]
    [InlineData("{}", JsonValueKind.Object)]
    [InlineData("[]", JsonValueKind.Array)]
    [InlineData("\"\"", JsonValueKind.String)]
    public void Parse_PayloadOfAnyKind_IsAcceptedAndSlicedExactly(string payload, JsonValueKind kind)
    {
        var body = Bytes($$"""{"auth_data": {{Auth}}, "payload": {{payload}}}""");

        var result = EnvelopeParser.Parse(body);

        Assert.True(result.IsValid);
        Assert.Equal(payload, Text(result.Payload!.Value));
        Assert.Equal(kind, result.PayloadKind);
    }

    [Fact]
    public void Parse_PayloadLastInObjectWithoutSpaces_EndsBeforeClosingBrace()
    {
        var body = Bytes($$"""{"auth_data":{{Auth}},"payload":123}""");

        Assert.Equal("123", Text(EnvelopeParser.Parse(body).Payload!.Value));
    }

    [Fact]
    public void Parse_DuplicateTopLevelKeys_LastWins()
    {
        var otherAuth = Auth.Replace("https://h:1", "https://second:2", StringComparison.Ordinal);
        var body = Bytes($$"""{"payload": 1, "auth_data": {{Auth}}, "payload": {"second": true}, "auth_data": {{otherAuth}}, "session_id": "a", "session_id": "b"}""");

        var result = EnvelopeParser.Parse(body);

        Assert.Equal("{\"second\": true}", Text(result.Payload!.Value));
        Assert.Equal("https://second:2", result.AuthData!.UrlText);
        Assert.Equal("b", result.SessionIdText);
    }

    [Fact]
    public void Parse_DuplicateKeyInsideAuthData_LastWins()
    {
        var body = Bytes("""{"auth_data": {"url": "first", "cost": 1, "endpoint": "e", "reqnum": 1, "request_idx": 1, "signature": "s", "url": "last"}, "payload": {} }""");

        Assert.Equal("last", EnvelopeParser.Parse(body).AuthData!.UrlText);
    }

    [Fact]
    public void Parse_EscapedTopLevelKey_MatchesDecodedName()
    {
        var body = Bytes($$"""{"auth\u005fdata": {{Auth}}, "p\u0061yload": [1]}""");

        var result = EnvelopeParser.Parse(body);

        Assert.True(result.IsValid);
        Assert.Equal("[1]", Text(result.Payload!.Value));
    }

    [Fact]
    public void Parse_MissingAuthDataAndPayload_GivesPythonFieldErrors()
    {
        var result = EnvelopeParser.Parse(Bytes("""{"session_id": null}"""));

        Assert.True(result.IsJson);
        Assert.False(result.IsValid);
        Assert.False(result.HasAuthData);
        Assert.Equal(EnvelopeParseResult.FieldMissing, result.FieldErrors["auth_data"]);
        Assert.Equal(EnvelopeParseResult.FieldMissing, result.FieldErrors["payload"]);
        Assert.Equal(2, result.FieldErrors.Count);
    }

    [Fact]
    public void Parse_AuthDataMissingKeys_ListsEachMissingParameter()
    {
        var body = Bytes("""{"auth_data": {"cost": 1, "endpoint": "e", "reqnum": 1, "url": "u", "__request_id": "x"}, "payload": {} }""");

        var result = EnvelopeParser.Parse(body);

        Assert.True(result.HasAuthData);
        Assert.Null(result.AuthData);
        var authErrors = Assert.IsAssignableFrom<IReadOnlyDictionary<string, string>>(result.FieldErrors["auth_data"]);
        Assert.Equal(new[] { "request_idx", "signature" }, authErrors.Keys.Order(StringComparer.Ordinal));
        Assert.All(authErrors.Values, v => Assert.Equal("missing parameter", v));
        Assert.False(result.FieldErrors.ContainsKey("payload"));
    }

    [Fact]
    public void Parse_AuthDataMissingKeysAndNoPayload_ReportsBoth()
    {
        var result = EnvelopeParser.Parse(Bytes("""{"auth_data": {}}"""));

        Assert.Equal(6, Assert.IsAssignableFrom<IReadOnlyDictionary<string, string>>(result.FieldErrors["auth_data"]).Count);
        Assert.Equal("field missing", result.FieldErrors["payload"]);
    }

    [Fact]
    public void WriteFieldErrors_MissingKeys_WritesPythonShapeAndOrder()
    {
        var result = EnvelopeParser.Parse(Bytes("""{"auth_data": {"reqnum": 1, "endpoint": "e"}}"""));
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            result.WriteFieldErrors(writer);
            writer.WriteEndObject();
        }

        var expected = """{"auth_data":{"signature":"missing parameter","cost":"missing parameter","url":"missing parameter","request_idx":"missing parameter"},"payload":"field missing"}""";
        Assert.Equal(expected, Text(buffer.WrittenMemory));
    }

    [Fact]
    public void WriteFieldErrors_ValidEnvelope_WritesNothing()
    {
        var result = EnvelopeParser.Parse(Bytes($$"""{"auth_data": {{Auth}}, "payload": 1}"""));
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            result.WriteFieldErrors(writer);
            writer.WriteEndObject();
        }

        Assert.Equal("{}", Text(buffer.WrittenMemory));
    }

    [Theory]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("\"cost endpoint\"")]
    [InlineData("7")]
    public void Parse_AuthDataNotAnObject_ReportsIt(string authData)
    {
        var result = EnvelopeParser.Parse(Bytes($$"""{"auth_data": {{authData}}, "payload": {} }"""));

        Assert.True(result.HasAuthData);
        Assert.Null(result.AuthData);
        Assert.Equal(AuthData.NotAnObject, result.FieldErrors["auth_data"]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("{")]
    [InlineData("{\"auth_data\": }")]
    [InlineData("{\"payload\": 1,}")]
    [InlineData("{\"payload\": 1} {}")]
    [InlineData("{\"payload\": 1} x")]
    [InlineData("{\"payload\": NaN}")]
    [InlineData("{\"payload\": Infinity}")]
    [InlineData("{\"payload\": -Infinity}")]
    [InlineData("{'payload': 1}")]
    [InlineData("{\"payload\": 01}")]
    [InlineData("{\"payload\": \"tab\tinside\"}")]
    [InlineData("{\"payload\": 1 /* comment */}")]
    public void Parse_InvalidJson_ReportsInvalidJson(string body)
    {
        var result = EnvelopeParser.Parse(Bytes(body));

        Assert.False(result.IsJson);
        Assert.False(result.IsValid);
        Assert.Equal("invalid JSON", result.Error);
        Assert.Empty(result.FieldErrors);
        Assert.Null(result.Payload);
    }

    [Fact]
    public void Parse_InvalidUtf8_ReportsInvalidJson()
    {
        var body = Bytes($$"""{"auth_data": {{Auth}}, "payload": "x"}""");
        body[body.Length - 3] = 0xFF;

        Assert.False(EnvelopeParser.Parse(body).IsJson);
    }

    [Fact]
    public void Parse_Utf8Bom_ReportsInvalidJson()
    {
        var body = new byte[] { 0xEF, 0xBB, 0xBF }.Concat(Bytes($$"""{"auth_data": {{Auth}}, "payload": 1}""")).ToArray();

        Assert.False(EnvelopeParser.Parse(body).IsJson);
    }

    [Theory]
    [InlineData("[\"auth_data\", \"payload\"]")]
    [InlineData("42")]
    [InlineData("\"auth_data payload\"")]
    [InlineData("null")]
    public void Parse_NonObjectBody_IsJsonButMissesBothFields(string body)
    {
        var result = EnvelopeParser.Parse(Bytes(body));

        Assert.True(result.IsJson);
        Assert.False(result.IsObject);
        Assert.False(result.IsValid);
        Assert.Equal("field missing", result.FieldErrors["auth_data"]);
        Assert.Equal("field missing", result.FieldErrors["payload"]);
    }

    [Fact]
    public void Parse_DeepPayloadWithinLimit_IsAccepted()
    {
        var payload = new string('[', 900) + new string(']', 900);
        var result = EnvelopeParser.Parse(Bytes($$"""{"auth_data": {{Auth}}, "payload": {{payload}}}"""));

        Assert.True(result.IsValid);
        Assert.Equal(payload.Length, result.Payload!.Value.Length);
    }

    [Fact]
    public void Parse_PayloadDeeperThanLimit_IsInvalidJson()
    {
        var payload = new string('[', EnvelopeParser.MaxDepth + 1) + new string(']', EnvelopeParser.MaxDepth + 1);

        Assert.False(EnvelopeParser.Parse(Bytes($$"""{"auth_data": {{Auth}}, "payload": {{payload}}}""")).IsJson);
    }

    [Fact]
    public void Parse_AuthDataNumbers_KeepTheirTokens()
    {
        var body = Bytes("""{"auth_data": {"cost": 1E2, "endpoint": "e", "reqnum": 12345678901234567890123, "request_idx": -0, "signature": "s", "url": "u"}, "payload": {} }""");

        var auth = EnvelopeParser.Parse(body).AuthData!;

        Assert.Equal("1E2", auth.Cost.GetRawText());
        Assert.Equal("12345678901234567890123", auth.Reqnum.GetRawText());
        Assert.Equal("-0", auth.RequestIdx.GetRawText());
    }

    [Fact]
    public void Parse_AuthData_OutlivesTheBodyBuffer()
    {
        var body = Bytes($$"""{"auth_data": {{Auth}}, "payload": {} }""");
        var auth = EnvelopeParser.Parse(body).AuthData!;

        Array.Clear(body);

        Assert.Equal("https://h:1", auth.UrlText);
        Assert.Equal("c2ln", auth.SignatureText);
    }

    [Fact]
    public void Parse_ExtraTopLevelKeys_AreIgnored()
    {
        var body = Bytes($$"""{"extra": {"payload": 5}, "auth_data": {{Auth}}, "payload": 6, "more": [1]}""");

        Assert.Equal("6", Text(EnvelopeParser.Parse(body).Payload!.Value));
    }

    [Fact]
    public void Parse_StringSessionId_IsExposedAsText()
    {
        var body = Bytes($$"""{"auth_data": {{Auth}}, "session_id": "abc\u00e9", "payload": {} }""");

        Assert.Equal("abc\u00e9", EnvelopeParser.Parse(body).SessionIdText);
    }

    [Fact]
    public void Parse_NoSessionId_LeavesItNull()
    {
        var result = EnvelopeParser.Parse(Bytes($$"""{"auth_data": {{Auth}}, "payload": {} }"""));

        Assert.Null(result.SessionId);
        Assert.True(result.IsValid);
    }

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    private static string Text(ReadOnlyMemory<byte> bytes) => Encoding.UTF8.GetString(bytes.Span);
}
