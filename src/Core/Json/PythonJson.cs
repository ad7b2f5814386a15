using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Vespa.Core.Json;

/// <summary>
/// Reproduces Python's <c>json.dumps(json.loads(raw), indent=4, sort_keys=True)</c> byte for byte: the
/// canonicalisation the vast.ai worker hashes before it checks a signature (vast-protocol.md §2.2).
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Numbers keep Python's int/float split from the JSON token: a token with <c>.</c>, <c>e</c> or <c>E</c> is a
/// float (printed as <c>repr(float)</c>, so <c>1e400</c> prints <c>Infinity</c>); any other is an arbitrary-size int,
/// printed exactly (<c>-0</c> prints <c>0</c>).</item>
/// <item>Strings use <c>ensure_ascii</c> escaping; keys are sorted by code point; a key that occurs twice in one
/// object keeps its last value, as a Python dict does.</item>
/// <item>Layout: 4-space indent, <c>","</c> at line ends, <c>": "</c> after keys, <c>{}</c>/<c>[]</c> for empty
/// containers, no trailing newline. The output is always ASCII.</item>
/// </list>
/// System.Text.Json never produces <c>NaN</c>/<c>Infinity</c> literals from parsing, so those can only appear
/// through overflowing float tokens; <see cref="FormatFloat"/> still prints them the Python way.
/// </remarks>
public static class PythonJson
{
    private const int IndentWidth = 4;

    /// <summary>Serialises a parsed JSON value as Python's <c>json.dumps(value, indent=4, sort_keys=True)</c>.</summary>
    /// <exception cref="FormatException">A string in <paramref name="value"/> is not valid UTF-8.</exception>
    public static string Serialize(JsonElement value)
    {
        var builder = new StringBuilder(64);
        WriteValue(builder, value, 0);
        return builder.ToString();
    }

    /// <summary>Appends the canonical form of <paramref name="value"/> to <paramref name="destination"/>.</summary>
    public static void Serialize(JsonElement value, StringBuilder destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        WriteValue(destination, value, 0);
    }

    /// <summary>The canonical form as bytes (ASCII, hence also UTF-8): what gets hashed.</summary>
    public static byte[] SerializeToUtf8Bytes(JsonElement value) => Encoding.ASCII.GetBytes(Serialize(value));

    /// <summary>
    /// Serialises an object built from members, as Python would serialise a dict built from them: a key given
    /// twice keeps its last value, and keys are sorted by code point.
    /// </summary>
    public static string SerializeObject(IEnumerable<KeyValuePair<string, JsonElement>> members)
    {
        ArgumentNullException.ThrowIfNull(members);
        var list = members as IReadOnlyList<KeyValuePair<string, JsonElement>> ?? [.. members];
        var builder = new StringBuilder(64);
        var entries = ArrayPool<Member>.Shared.Rent(Math.Max(list.Count, 1));
        try
        {
            for (var i = 0; i < list.Count; i++)
            {
                ArgumentNullException.ThrowIfNull(list[i].Key, nameof(members));
                entries[i] = new Member(list[i].Key, list[i].Value, i);
            }

            WriteMembers(builder, entries.AsSpan(0, list.Count), 0);
        }
        finally
        {
            ArrayPool<Member>.Shared.Return(entries, clearArray: true);
        }

        return builder.ToString();
    }

    /// <summary><see cref="SerializeObject(IEnumerable{KeyValuePair{string, JsonElement}})"/> as ASCII bytes.</summary>
    public static byte[] SerializeObjectToUtf8Bytes(IEnumerable<KeyValuePair<string, JsonElement>> members) =>
        Encoding.ASCII.GetBytes(SerializeObject(members));

    /// <summary>Python's <c>repr(float)</c> (also what <c>json.dumps</c> writes for a float).</summary>
    public static string FormatFloat(double value) => PythonFloatFormatter.Format(value);

    /// <summary>Python's <c>json.dumps(str)</c> with <c>ensure_ascii=True</c>, quotes included.</summary>
    public static string QuoteString(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var builder = new StringBuilder(value.Length + 2);
        PythonStringEscaper.AppendQuoted(builder, value);
        return builder.ToString();
    }

    /// <summary>Whether a JSON number token is a Python float (it holds '.', 'e' or 'E') rather than an int.</summary>
    public static bool IsFloatToken(ReadOnlySpan<byte> numberToken) => numberToken.IndexOfAny("eE."u8) >= 0;

    private static void WriteValue(StringBuilder builder, JsonElement value, int depth)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                WriteObject(builder, value, depth);
                break;
            case JsonValueKind.Array:
                WriteArray(builder, value, depth);
                break;
            case JsonValueKind.String:
                var raw = JsonMarshal.GetRawUtf8Value(value);
                PythonStringEscaper.AppendQuotedFromJsonUtf8(builder, raw[1..^1]);
                break;
            case JsonValueKind.Number:
                WriteNumber(builder, JsonMarshal.GetRawUtf8Value(value));
                break;
            case JsonValueKind.True:
                builder.Append("true");
                break;
            case JsonValueKind.False:
                builder.Append("false");
                break;
            case JsonValueKind.Null:
                builder.Append("null");
                break;
            default:
                throw new ArgumentException("The JSON element holds no value.", nameof(value));
        }
    }

    private static void WriteNumber(StringBuilder builder, ReadOnlySpan<byte> token)
    {
        if (IsFloatToken(token))
        {
            // .NET Core 3.0+ parses with correct rounding and returns ±Infinity on overflow, as Python's float() does.
            var parsed = double.Parse(token, NumberStyles.Float, CultureInfo.InvariantCulture);
            PythonFloatFormatter.Append(builder, parsed);
            return;
        }

        // JSON forbids leading zeros, so an int token is already Python's str(int) except for "-0".
        if (token.SequenceEqual("-0"u8))
        {
            builder.Append('0');
            return;
        }

        foreach (var b in token)
        {
            builder.Append((char)b);
        }
    }

    private static void WriteArray(StringBuilder builder, JsonElement array, int depth)
    {
        if (array.GetArrayLength() == 0)
        {
            builder.Append("[]");
            return;
        }

        builder.Append('[');
        var first = true;
        foreach (var item in array.EnumerateArray())
        {
            if (!first)
            {
                builder.Append(',');
            }

            first = false;
            builder.Append('\n').Append(' ', (depth + 1) * IndentWidth);
            WriteValue(builder, item, depth + 1);
        }

        builder.Append('\n').Append(' ', depth * IndentWidth).Append(']');
    }

    private static void WriteObject(StringBuilder builder, JsonElement obj, int depth)
    {
        var count = obj.GetPropertyCount();
        if (count == 0)
        {
            builder.Append("{}");
            return;
        }

        var entries = ArrayPool<Member>.Shared.Rent(count);
        try
        {
            var index = 0;
            foreach (var property in obj.EnumerateObject())
            {
                var name = PythonStringEscaper.DecodeJsonString(JsonMarshal.GetRawUtf8PropertyName(property));
                entries[index] = new Member(name, property.Value, index);
                index++;
            }

            WriteMembers(builder, entries.AsSpan(0, index), depth);
        }
        finally
        {
            ArrayPool<Member>.Shared.Return(entries, clearArray: true);
        }
    }

    private static void WriteMembers(StringBuilder builder, Span<Member> members, int depth)
    {
        if (members.IsEmpty)
        {
            builder.Append("{}");
            return;
        }

        // Order by key, then by position, so that the last of equal keys ends each run: that one wins.
        members.Sort(static (a, b) =>
        {
            var byKey = CodePointStringComparer.Compare(a.Name, b.Name);
            return byKey != 0 ? byKey : a.Index.CompareTo(b.Index);
        });

        builder.Append('{');
        var first = true;
        for (var i = 0; i < members.Length; i++)
        {
            if (i + 1 < members.Length && string.Equals(members[i].Name, members[i + 1].Name, StringComparison.Ordinal))
            {
                continue;
            }

            if (!first)
            {
                builder.Append(',');
            }

            first = false;
            builder.Append('\n').Append(' ', (depth + 1) * IndentWidth);
            PythonStringEscaper.AppendQuoted(builder, members[i].Name);
            builder.Append(": ");
            WriteValue(builder, members[i].Value, depth + 1);
        }

        builder.Append('\n').Append(' ', depth * IndentWidth).Append('}');
    }

    private readonly record struct Member(string Name, JsonElement Value, int Index);
}
