using System.Globalization;
using System.Text;
using CsCheck;

namespace Vespa.Worker.Tests.Properties;

/// <summary>Generators of JSON text: every number form that matters to Python's canonical JSON, strings, shallow and deep values.</summary>
internal static class JsonGen
{
    /// <summary>Number tokens at the edges: signed zeros, the largest and smallest doubles, overflow and underflow, ints beyond 64 bits.</summary>
    public static readonly string[] NumberForms =
    [
        "0", "-0", "0.0", "-0.0", "1", "1.0", "100", "100.0", "2", "-1", "-100.5", "0.1", "1e-7", "1e16", "1e308", "1.5e300",
        "1E+308", "-1e308", "5e-324", "4.9e-324", "1e-400", "1e400", "-1e400", "2.2250738585072014e-308", "1.7976931348623157e308",
        "9007199254740993", "18446744073709551616", "-9223372036854775809", "123456789012345678901234567890", "1e9", "1000000000.5",
    ];

    public static readonly Gen<string> Number = Gen.Frequency(
        (5, Gen.OneOf(NumberForms)),
        (2, Gen.Double.Where(double.IsFinite).Select(d => d.ToString("R", CultureInfo.InvariantCulture))),
        (2, Gen.Long.Select(l => l.ToString(CultureInfo.InvariantCulture))),
        (1, Gen.Int[20, 99].Select(n => "9" + new string('1', n))));

    public static readonly Gen<string> Text = Gen.Frequency(
        (3, Gen.String[0, 30]),
        (1, Gen.OneOf("", "https://127.0.0.1:41234", "héllo", "\u0000\u001f\"\\", "😀", "\ud800", "a\u2028b")));

    public static readonly Gen<string> String = Text.Select(Quote);

    public static readonly Gen<string> Scalar = Gen.Frequency(
        (5, Number),
        (3, String),
        (2, Gen.OneOf("true", "false", "null")));

    /// <summary>Any value: mostly scalars, some shallow containers, some nested far beyond what the worker accepts.</summary>
    public static readonly Gen<string> Value = Gen.Frequency(
        (10, Scalar),
        (2, Scalar.Array[0, 4].Select(items => "[" + string.Join(", ", items) + "]")),
        (1, Gen.Select(String, Scalar).Array[0, 3].Select(members => "{" + string.Join(", ", members.Select(m => m.Item1 + ": " + m.Item2)) + "}")),
        (1, Gen.Int[3, 400].Select(depth => new string('[', depth) + new string(']', depth))));

    /// <summary>A JSON string literal for any UTF-16 text (lone surrogates escaped, as a Python client could send them).</summary>
    public static string Quote(string text)
    {
        var builder = new StringBuilder(text.Length + 2).Append('"');
        foreach (var c in text)
        {
            if (c is >= ' ' and < (char)0x7F and not '"' and not '\\')
            {
                builder.Append(c);
            }
            else
            {
                builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            }
        }

        return builder.Append('"').ToString();
    }
}
