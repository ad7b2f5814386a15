namespace Vespa.Core.Json;

/// <summary>
/// Orders strings by Unicode code point, as Python compares <c>str</c> (and so as <c>sort_keys=True</c> orders keys).
/// </summary>
/// <remarks>
/// UTF-16 ordinal order differs from code point order when a character above U+FFFF (a surrogate pair, 0xD800–0xDFFF)
/// meets one in U+E000–U+FFFF. A lone surrogate counts as its own code point, as in Python, and a high surrogate
/// followed by a low one counts as the pair's code point (Python's <c>json.loads</c> joins an escaped pair into one
/// character, and a lone surrogate can only come from an escape).
/// </remarks>
public sealed class CodePointStringComparer : IComparer<string>
{
    /// <summary>The shared instance (the comparer has no state).</summary>
    public static readonly CodePointStringComparer Instance = new();

    private CodePointStringComparer()
    {
    }

    public int Compare(string? x, string? y)
    {
        if (ReferenceEquals(x, y))
        {
            return 0;
        }

        if (x is null)
        {
            return -1;
        }

        if (y is null)
        {
            return 1;
        }

        return Compare(x.AsSpan(), y.AsSpan());
    }

    /// <summary>Compares two UTF-16 spans by code point.</summary>
    public static int Compare(ReadOnlySpan<char> x, ReadOnlySpan<char> y)
    {
        var i = x.CommonPrefixLength(y);

        // Step back onto a high surrogate shared by both: it may pair with what follows in one string only.
        if (i > 0 && char.IsHighSurrogate(x[i - 1]))
        {
            i--;
        }

        while (i < x.Length && i < y.Length)
        {
            var cx = CodePointAt(x, i, out var width);
            var cy = CodePointAt(y, i, out _);
            if (cx != cy)
            {
                return cx < cy ? -1 : 1;
            }

            // Equal code points have equal UTF-16 widths.
            i += width;
        }

        return (x.Length - i).CompareTo(y.Length - i);
    }

    private static int CodePointAt(ReadOnlySpan<char> s, int index, out int width)
    {
        var c = s[index];
        if (char.IsHighSurrogate(c) && index + 1 < s.Length && char.IsLowSurrogate(s[index + 1]))
        {
            width = 2;
            return char.ConvertToUtf32(c, s[index + 1]);
        }

        width = 1;
        return c;
    }
}
