using System.Globalization;
using System.Text;

namespace Vespa.Core.Json;

/// <summary>
/// Formats a <see cref="double"/> exactly as CPython's <c>float.__repr__</c> does (which is what <c>json.dumps</c>
/// writes for a float): the shortest digit string that round-trips, in fixed notation when the decimal point
/// position <c>p</c> satisfies <c>-4 &lt; p &lt;= 16</c>, otherwise as <c>d.ddde+XX</c> with at least two exponent
/// digits (vast-protocol.md §2.2).
/// </summary>
/// <remarks>
/// The shortest digits come from .NET's <c>"R"</c> format, which is shortest-round-trip since .NET Core 3.0, the
/// same contract as CPython's <c>repr</c> (David Gay's mode 0). Only the layout differs, so the .NET text is taken
/// apart into digits and a decimal exponent and laid out again the Python way.
/// </remarks>
internal static class PythonFloatFormatter
{
    // "-1.7976931348623157E+308" is 24 characters; leave room.
    private const int MaxRoundTripLength = 32;

    public static void Append(StringBuilder builder, double value)
    {
        if (double.IsNaN(value))
        {
            builder.Append("NaN");
            return;
        }

        if (double.IsInfinity(value))
        {
            builder.Append(value > 0 ? "Infinity" : "-Infinity");
            return;
        }

        Span<char> text = stackalloc char[MaxRoundTripLength];
        if (!value.TryFormat(text, out var written, "R", CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException("A double did not fit the round-trip buffer.");
        }

        text = text[..written];
        var negative = text[0] == '-';
        if (negative)
        {
            text = text[1..];
        }

        // Split "I.FE±X" into its significant digits and the position p of the decimal point, so that
        // value = 0.d1d2...dn × 10^p.
        Span<char> digits = stackalloc char[MaxRoundTripLength];
        var digitCount = 0;
        var integerDigits = -1;
        var exponent = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '.')
            {
                integerDigits = digitCount;
            }
            else if (c is 'E' or 'e')
            {
                exponent = int.Parse(text[(i + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
                break;
            }
            else
            {
                digits[digitCount++] = c;
            }
        }

        if (integerDigits < 0)
        {
            integerDigits = digitCount;
        }

        var position = integerDigits + exponent;
        var start = 0;
        while (start < digitCount && digits[start] == '0')
        {
            start++;
            position--;
        }

        var end = digitCount;
        while (end > start && digits[end - 1] == '0')
        {
            end--;
        }

        if (negative)
        {
            builder.Append('-');
        }

        if (start == end)
        {
            // Zero keeps its sign: Python prints -0.0.
            builder.Append("0.0");
            return;
        }

        AppendLayout(builder, digits[start..end], position);
    }

    public static string Format(double value)
    {
        var builder = new StringBuilder(MaxRoundTripLength);
        Append(builder, value);
        return builder.ToString();
    }

    private static void AppendLayout(StringBuilder builder, ReadOnlySpan<char> digits, int position)
    {
        var n = digits.Length;
        if (position > -4 && position <= 16)
        {
            if (position <= 0)
            {
                builder.Append("0.").Append('0', -position).Append(digits);
            }
            else if (position < n)
            {
                builder.Append(digits[..position]).Append('.').Append(digits[position..]);
            }
            else
            {
                builder.Append(digits).Append('0', position - n).Append(".0");
            }

            return;
        }

        builder.Append(digits[0]);
        if (n > 1)
        {
            builder.Append('.').Append(digits[1..]);
        }

        var exponent = position - 1;
        builder.Append('e').Append(exponent < 0 ? '-' : '+');
        var magnitude = Math.Abs(exponent);
        if (magnitude < 10)
        {
            builder.Append('0');
        }

        builder.Append(magnitude.ToString(CultureInfo.InvariantCulture));
    }
}
