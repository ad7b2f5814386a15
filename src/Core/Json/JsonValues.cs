using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Vespa.Core.Json;

/// <summary>
/// Builds standalone <see cref="JsonElement"/> values (they own their bytes and need no disposal), keeping the
/// number token text that Python's int/float split depends on.
/// </summary>
public static class JsonValues
{
    /// <summary>A JSON string.</summary>
    /// <exception cref="ArgumentException"><paramref name="value"/> holds a lone surrogate.</exception>
    public static JsonElement FromString(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var buffer = new ArrayBufferWriter<byte>(value.Length + 16);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStringValue(value);
        }

        return Parse(buffer.WrittenSpan);
    }

    /// <summary>A JSON int token (Python <c>int</c>).</summary>
    public static JsonElement FromInt64(long value) =>
        Parse(Encoding.ASCII.GetBytes(value.ToString(CultureInfo.InvariantCulture)));

    /// <summary>A JSON float token written as Python's <c>repr</c> (so 1.0 stays <c>1.0</c>, a Python float).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is NaN or infinite (not valid JSON).</exception>
    public static JsonElement FromDouble(double value)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "JSON has no literal for NaN or infinity.");
        }

        return Parse(Encoding.ASCII.GetBytes(PythonFloatFormatter.Format(value)));
    }

    /// <summary>The JSON <c>null</c> literal.</summary>
    public static JsonElement Null() => Parse("null"u8);

    /// <summary>
    /// Parses <paramref name="text"/> as exactly one JSON number token (RFC 8259 grammar: no whitespace, no '+', no
    /// leading zeros, no NaN/Infinity). The token text is kept, so an integer-looking text stays a Python int and
    /// anything with '.', 'e' or 'E' stays a Python float.
    /// </summary>
    public static bool TryParseNumber(string? text, out JsonElement number)
    {
        number = default;
        if (text is null || !IsJsonNumber(text))
        {
            return false;
        }

        number = Parse(Encoding.ASCII.GetBytes(text));
        return true;
    }

    /// <summary>Whether <paramref name="text"/> matches the JSON number grammar
    /// <c>-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?</c>.</summary>
    public static bool IsJsonNumber(ReadOnlySpan<char> text)
    {
        var i = 0;
        if (i < text.Length && text[i] == '-')
        {
            i++;
        }

        if (i >= text.Length)
        {
            return false;
        }

        if (text[i] == '0')
        {
            i++;
        }
        else if (char.IsAsciiDigit(text[i]))
        {
            i = SkipDigits(text, i);
        }
        else
        {
            return false;
        }

        if (i < text.Length && text[i] == '.')
        {
            var start = ++i;
            i = SkipDigits(text, i);
            if (i == start)
            {
                return false;
            }
        }

        if (i < text.Length && text[i] is 'e' or 'E')
        {
            i++;
            if (i < text.Length && text[i] is '+' or '-')
            {
                i++;
            }

            var start = i;
            i = SkipDigits(text, i);
            if (i == start)
            {
                return false;
            }
        }

        return i == text.Length;
    }

    private static int SkipDigits(ReadOnlySpan<char> text, int i)
    {
        while (i < text.Length && char.IsAsciiDigit(text[i]))
        {
            i++;
        }

        return i;
    }

    private static JsonElement Parse(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        return JsonElement.ParseValue(ref reader);
    }
}
