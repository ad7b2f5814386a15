using System.Buffers;
using System.Text;

namespace Vespa.Core.Json;

/// <summary>
/// Python <c>json.dumps(..., ensure_ascii=True)</c> string quoting, and decoding of raw JSON string tokens
/// (vast-protocol.md §2.2).
/// </summary>
/// <remarks>
/// <para>Escapes <c>"</c>, <c>\</c>, LF, CR, TAB, BS and FF with their short forms and every other UTF-16 code unit
/// outside 0x20–0x7E (DEL included) as <c>\uXXXX</c> with lowercase hex. Working per UTF-16 code unit gives
/// Python's surrogate-pair escapes for characters above U+FFFF for free, and passes lone surrogates through as
/// Python does. <c>/</c> is not escaped.</para>
/// <para>Strings are read from the raw UTF-8 token rather than through <c>JsonElement.GetString</c>, because
/// System.Text.Json refuses to materialise a string that holds a lone surrogate escape (<c>"\ud800"</c>) while
/// Python's <c>json.loads</c> accepts it.</para>
/// </remarks>
internal static class PythonStringEscaper
{
    private const string HexDigits = "0123456789abcdef";

    // Printable ASCII that needs no escape: 0x20..0x7E minus '"' and '\'.
    private static readonly SearchValues<char> SafeChars = SearchValues.Create(
        " !#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`abcdefghijklmnopqrstuvwxyz{|}~");

    private static readonly SearchValues<byte> SafeBytes = SearchValues.Create(
        " !#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`abcdefghijklmnopqrstuvwxyz{|}~"u8);

    public static void AppendQuoted(StringBuilder builder, ReadOnlySpan<char> value)
    {
        builder.Append('"');
        while (!value.IsEmpty)
        {
            var run = value.IndexOfAnyExcept(SafeChars);
            if (run < 0)
            {
                builder.Append(value);
                break;
            }

            builder.Append(value[..run]);
            AppendEscaped(builder, value[run]);
            value = value[(run + 1)..];
        }

        builder.Append('"');
    }

    /// <summary>Appends the Python-quoted form of a raw JSON string token's content (the bytes between the quotes,
    /// still JSON-escaped, UTF-8).</summary>
    /// <exception cref="FormatException">The content is not valid UTF-8 or holds a malformed escape.</exception>
    public static void AppendQuotedFromJsonUtf8(StringBuilder builder, ReadOnlySpan<byte> content)
    {
        builder.Append('"');
        Span<char> chunk = stackalloc char[128];
        var i = 0;
        while (i < content.Length)
        {
            var run = content[i..].IndexOfAnyExcept(SafeBytes);
            var runLength = run < 0 ? content.Length - i : run;
            while (runLength > 0)
            {
                // Safe bytes are ASCII, so one byte is one char.
                var take = Math.Min(runLength, chunk.Length);
                for (var k = 0; k < take; k++)
                {
                    chunk[k] = (char)content[i + k];
                }

                builder.Append(chunk[..take]);
                i += take;
                runLength -= take;
            }

            if (i >= content.Length)
            {
                break;
            }

            i += DecodeOne(content, i, out var first, out var second);
            AppendEscaped(builder, first);
            if (second != '\0')
            {
                AppendEscaped(builder, second);
            }
        }

        builder.Append('"');
    }

    /// <summary>Decodes a raw JSON string token's content (without the quotes) to a .NET string, keeping lone
    /// surrogates as Python does.</summary>
    /// <exception cref="FormatException">The content is not valid UTF-8 or holds a malformed escape.</exception>
    public static string DecodeJsonString(ReadOnlySpan<byte> content)
    {
        if (content.IndexOfAnyExcept(SafeBytes) < 0)
        {
            return Encoding.ASCII.GetString(content);
        }

        var builder = new StringBuilder(content.Length);
        var i = 0;
        while (i < content.Length)
        {
            i += DecodeOne(content, i, out var first, out var second);
            builder.Append(first);
            if (second != '\0')
            {
                builder.Append(second);
            }
        }

        return builder.ToString();
    }

    /// <summary>Decodes one character (one escape, one ASCII byte or one UTF-8 sequence) at <paramref name="index"/>.
    /// <paramref name="second"/> is the low surrogate of a character above U+FFFF, or NUL when there is none (a
    /// literal NUL can only come from an escape, which yields one code unit, so NUL is free as a marker).</summary>
    private static int DecodeOne(ReadOnlySpan<byte> content, int index, out char first, out char second)
    {
        second = '\0';
        var b = content[index];
        if (b == (byte)'\\')
        {
            if (index + 1 >= content.Length)
            {
                throw new FormatException("A JSON string ends inside an escape.");
            }

            switch (content[index + 1])
            {
                case (byte)'"': first = '"'; return 2;
                case (byte)'\\': first = '\\'; return 2;
                case (byte)'/': first = '/'; return 2;
                case (byte)'b': first = '\b'; return 2;
                case (byte)'f': first = '\f'; return 2;
                case (byte)'n': first = '\n'; return 2;
                case (byte)'r': first = '\r'; return 2;
                case (byte)'t': first = '\t'; return 2;
                case (byte)'u':
                    if (index + 6 > content.Length)
                    {
                        throw new FormatException("A JSON string ends inside a \\u escape.");
                    }

                    first = (char)ParseHex4(content.Slice(index + 2, 4));
                    return 6;
                default:
                    throw new FormatException("A JSON string holds an unknown escape.");
            }
        }

        if (b < 0x80)
        {
            first = (char)b;
            return 1;
        }

        if (Rune.DecodeFromUtf8(content[index..], out var rune, out var consumed) != OperationStatus.Done)
        {
            throw new FormatException("A JSON string is not valid UTF-8.");
        }

        if (rune.IsBmp)
        {
            first = (char)rune.Value;
        }
        else
        {
            Span<char> pair = stackalloc char[2];
            rune.EncodeToUtf16(pair);
            first = pair[0];
            second = pair[1];
        }

        return consumed;
    }

    private static int ParseHex4(ReadOnlySpan<byte> hex)
    {
        var value = 0;
        foreach (var h in hex)
        {
            var digit = h switch
            {
                >= (byte)'0' and <= (byte)'9' => h - '0',
                >= (byte)'a' and <= (byte)'f' => h - 'a' + 10,
                >= (byte)'A' and <= (byte)'F' => h - 'A' + 10,
                _ => throw new FormatException("A JSON \\u escape holds a non-hex digit."),
            };
            value = (value << 4) | digit;
        }

        return value;
    }

    private static void AppendEscaped(StringBuilder builder, char c)
    {
        switch (c)
        {
            case '"': builder.Append("\\\""); break;
            case '\\': builder.Append("\\\\"); break;
            case '\n': builder.Append("\\n"); break;
            case '\r': builder.Append("\\r"); break;
            case '\t': builder.Append("\\t"); break;
            case '\b': builder.Append("\\b"); break;
            case '\f': builder.Append("\\f"); break;
            default:
                if (c is >= ' ' and <= '~')
                {
                    builder.Append(c);
                }
                else
                {
                    builder.Append('\\').Append('u')
                        .Append(HexDigits[(c >> 12) & 0xF])
                        .Append(HexDigits[(c >> 8) & 0xF])
                        .Append(HexDigits[(c >> 4) & 0xF])
                        .Append(HexDigits[c & 0xF]);
                }

                break;
        }
    }
}
