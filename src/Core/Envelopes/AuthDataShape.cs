using System.Runtime.InteropServices;
using System.Text.Json;

namespace Vespa.Core.Envelopes;

/// <summary>
/// Bounds on each <c>auth_data</c> value, checked before any canonical message is built (issue 9, finding 6). The
/// Python worker takes any JSON value there, and the canonical form is <c>json.dumps(indent=4)</c>: every nesting level
/// indents each line by four more spaces, so about 2 KB of nested arrays in <c>url</c> would expand to megabytes and
/// a 1 MiB body to gigabytes. The autoscaler signs short strings and numbers; these bounds leave generous room for
/// those and stop the expansion: at most <see cref="MaxStringBytes"/> per string, <see cref="MaxNumberLength"/>
/// characters per number, <see cref="MaxDepth"/> levels of arrays/objects, <see cref="MaxValues"/> values and
/// <see cref="MaxValueBytes"/> bytes of JSON per field. Then a field's canonical text is at most a few times its raw
/// size (<c>ensure_ascii</c> escapes grow a character to at most 12 bytes from 4).
/// </summary>
public static class AuthDataShape
{
    /// <summary>Raw JSON bytes of one string token (a 16384-bit key's base64 signature is 2,732 characters).</summary>
    public const int MaxStringBytes = 8192;

    /// <summary>Characters of one number token (Python prints any int exactly; no signer sends a longer one).</summary>
    public const int MaxNumberLength = 100;

    /// <summary>Nesting levels of arrays and objects inside one field (a field that is a list of scalars is 1).</summary>
    public const int MaxDepth = 2;

    /// <summary>Values (scalars, arrays, objects, keys not counted) in one field.</summary>
    public const int MaxValues = 64;

    /// <summary>Raw JSON bytes of one field's value.</summary>
    public const int MaxValueBytes = 16384;

    /// <summary>Returns <c>null</c> when <paramref name="value"/> is within the bounds, else what is wrong with it.</summary>
    public static string? Check(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Undefined)
        {
            return null;
        }

        var rawLength = JsonMarshal.GetRawUtf8Value(value).Length;
        if (rawLength > MaxValueBytes)
        {
            return $"is {rawLength} bytes of JSON, more than {MaxValueBytes}";
        }

        var values = 0;
        return Check(value, 0, ref values);
    }

    private static string? Check(JsonElement value, int depth, ref int values)
    {
        if (++values > MaxValues)
        {
            return $"holds more than {MaxValues} values";
        }

        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                var length = JsonMarshal.GetRawUtf8Value(value).Length - 2;
                return length > MaxStringBytes ? $"has a string of {length} bytes, more than {MaxStringBytes}" : null;
            case JsonValueKind.Number:
                var digits = JsonMarshal.GetRawUtf8Value(value).Length;
                return digits > MaxNumberLength ? $"has a number of {digits} characters, more than {MaxNumberLength}" : null;
            case JsonValueKind.Array:
                if (depth >= MaxDepth)
                {
                    return $"is nested more than {MaxDepth} levels deep";
                }

                foreach (var item in value.EnumerateArray())
                {
                    if (Check(item, depth + 1, ref values) is { } problem)
                    {
                        return problem;
                    }
                }

                return null;
            case JsonValueKind.Object:
                if (depth >= MaxDepth)
                {
                    return $"is nested more than {MaxDepth} levels deep";
                }

                foreach (var property in value.EnumerateObject())
                {
                    if (property.Name.Length > MaxStringBytes)
                    {
                        return $"has a key of more than {MaxStringBytes} characters";
                    }

                    if (Check(property.Value, depth + 1, ref values) is { } problem)
                    {
                        return problem;
                    }
                }

                return null;
            default:
                return null;
        }
    }
}
