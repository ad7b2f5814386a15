using System.Text.Json;
using Vespa.Core.Json;

namespace Vespa.Core.Tests.Json;

public sealed class JsonValuesTests
{
    [Theory]
    [InlineData("0")]
    [InlineData("-0")]
    [InlineData("12")]
    [InlineData("-12")]
    [InlineData("1.5")]
    [InlineData("1e-05")]
    [InlineData("1E+5")]
    [InlineData("0.0")]
    [InlineData("123456789012345678901234567890")]
    public void TryParseNumber_ValidToken_KeepsTokenText(string text)
    {
        Assert.True(JsonValues.TryParseNumber(text, out var number));
        Assert.Equal(JsonValueKind.Number, number.ValueKind);
        Assert.Equal(text, number.GetRawText());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" 1")]
    [InlineData("1 ")]
    [InlineData("+1")]
    [InlineData("01")]
    [InlineData("1.")]
    [InlineData(".5")]
    [InlineData("1e")]
    [InlineData("1e+")]
    [InlineData("-")]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("1_000")]
    [InlineData("0x10")]
    [InlineData("abc")]
    [InlineData("\"1\"")]
    public void TryParseNumber_InvalidToken_ReturnsFalse(string? text)
    {
        Assert.False(JsonValues.TryParseNumber(text, out _));
    }

    [Fact]
    public void FromDouble_WholeNumber_StaysFloatToken()
    {
        Assert.Equal("1.0", JsonValues.FromDouble(1.0).GetRawText());
        Assert.Equal("1e-05", JsonValues.FromDouble(1e-05).GetRawText());
    }

    [Fact]
    public void FromDouble_NotFinite_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => JsonValues.FromDouble(double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => JsonValues.FromDouble(double.PositiveInfinity));
    }

    [Fact]
    public void FromInt64_Value_IsIntToken()
    {
        Assert.Equal("-9223372036854775808", JsonValues.FromInt64(long.MinValue).GetRawText());
    }

    [Fact]
    public void FromString_NonAscii_RoundTrips()
    {
        var element = JsonValues.FromString("h\u00e9 \"/\" \U0001F600");

        Assert.Equal("h\u00e9 \"/\" \U0001F600", element.GetString());
        Assert.Equal("\"h\\u00e9 \\\"/\\\" \\ud83d\\ude00\"", PythonJson.Serialize(element));
    }

    [Fact]
    public void Null_Value_IsNullKind()
    {
        Assert.Equal(JsonValueKind.Null, JsonValues.Null().ValueKind);
    }
}
