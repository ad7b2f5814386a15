using Vespa.Core.Json;

namespace Vespa.Core.Tests.Json;

public sealed class CodePointStringComparerTests
{
    [Theory]
    [InlineData("a", "b", -1)]
    [InlineData("b", "a", 1)]
    [InlineData("a", "a", 0)]
    [InlineData("a", "aa", -1)]
    [InlineData("", "a", -1)]
    [InlineData("\uE000", "\U0001F600", -1)]
    [InlineData("\uFFFF", "\U00010000", -1)]
    [InlineData("\U0001F600", "\uE000", 1)]
    [InlineData("x\uE000", "x\U0001F600", -1)]
    [InlineData("\U0001F600", "\U0001F601", -1)]
    [InlineData("\U0001F600a", "\U0001F600b", -1)]
    public void Compare_Strings_OrdersByCodePoint(string x, string y, int expectedSign)
    {
        Assert.Equal(expectedSign, Math.Sign(CodePointStringComparer.Instance.Compare(x, y)));
        Assert.Equal(-expectedSign, Math.Sign(CodePointStringComparer.Instance.Compare(y, x)));
    }

    // Lone surrogates cannot travel through attribute arguments (they are stored as UTF-8), so build them here.
    [Theory]
    [InlineData(0xD800, -1, 0x10000, -1, -1)]
    [InlineData(0xDC00, -1, 0x10000, -1, -1)]
    [InlineData(0xD800, 'a', 0xD800, 'b', -1)]
    [InlineData(0xD800, -1, 0xE000, -1, -1)]
    [InlineData(0xDFFF, -1, 0xE000, -1, -1)]
    [InlineData(0x10FFFF, -1, 0xDBFF, -1, 1)]
    public void Compare_LoneSurrogates_CountAsTheirOwnCodePoint(int x0, int x1, int y0, int y1, int expectedSign)
    {
        var x = Build(x0, x1);
        var y = Build(y0, y1);

        Assert.Equal(expectedSign, Math.Sign(CodePointStringComparer.Instance.Compare(x, y)));
        Assert.Equal(-expectedSign, Math.Sign(CodePointStringComparer.Instance.Compare(y, x)));
    }

    [Fact]
    public void Compare_Nulls_SortFirst()
    {
        Assert.True(CodePointStringComparer.Instance.Compare(null, "a") < 0);
        Assert.True(CodePointStringComparer.Instance.Compare("a", null) > 0);
        Assert.Equal(0, CodePointStringComparer.Instance.Compare(null, null));
    }

    [Fact]
    public void Compare_RandomStrings_AgreesWithRuneByRuneComparison()
    {
        var random = new Random(7);
        char[] alphabet = ['a', 'z', '\u00e9', '\uE000', '\uFFFF', '\ud83d', '\ude00', '\ud800', '\udc00'];
        for (var n = 0; n < 5000; n++)
        {
            var x = RandomString(random, alphabet);
            var y = RandomString(random, alphabet);

            Assert.Equal(Math.Sign(Reference(x, y)), Math.Sign(CodePointStringComparer.Instance.Compare(x, y)));
        }
    }

    private static string Build(int first, int second)
    {
        var text = first > 0xFFFF ? char.ConvertFromUtf32(first) : ((char)first).ToString();
        return second < 0 ? text : text + (char)second;
    }

    private static string RandomString(Random random, char[] alphabet)
    {
        var chars = new char[random.Next(0, 5)];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = alphabet[random.Next(alphabet.Length)];
        }

        return new string(chars);
    }

    // Independent reference: expand both strings into code point lists (a valid pair becomes one code point, a lone
    // surrogate stays itself) and compare the lists.
    private static int Reference(string x, string y)
    {
        var a = CodePoints(x);
        var b = CodePoints(y);
        for (var i = 0; i < Math.Min(a.Count, b.Count); i++)
        {
            if (a[i] != b[i])
            {
                return a[i].CompareTo(b[i]);
            }
        }

        return a.Count.CompareTo(b.Count);
    }

    private static List<int> CodePoints(string s)
    {
        var list = new List<int>();
        for (var i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                list.Add(char.ConvertToUtf32(s[i], s[i + 1]));
                i++;
            }
            else
            {
                list.Add(s[i]);
            }
        }

        return list;
    }
}
