namespace Vespa.Worker.Envelopes;

/// <summary>
/// One Python <c>fnmatch</c> glob compiled to a token list and matched without a regex: <c>*</c> matches any run of
/// characters (including <c>/</c>), <c>?</c> one character, <c>[abc]</c> / <c>[a-z]</c> / <c>[!abc]</c> one character
/// of (or not of) a set; anything else is literal and case-sensitive (fnmatch on POSIX).
/// </summary>
/// <remarks>
/// Matching is the classic two-pointer wildcard algorithm that backtracks only to the last <c>*</c>: every token
/// consumes at most one character, so the work is bounded by path length × pattern length whatever the input, and
/// there is no timeout that could turn into a 500 (a regex of several <c>.*</c> backtracks exponentially and needed
/// one). Bracket parsing follows <c>fnmatch.translate</c>: a <c>]</c> right after <c>[</c> or <c>[!</c> is a member,
/// and a <c>[</c> without a closing <c>]</c> is a literal.
/// </remarks>
internal sealed class GlobPattern
{
    private readonly Token[] _tokens;

    public GlobPattern(string glob)
    {
        ArgumentNullException.ThrowIfNull(glob);
        Text = glob;
        _tokens = Parse(glob);
    }

    public string Text { get; }

    public bool IsMatch(ReadOnlySpan<char> text)
    {
        var tokens = _tokens;
        int p = 0, i = 0, starToken = -1, starText = 0;
        while (i < text.Length)
        {
            if (p < tokens.Length && tokens[p].Kind == TokenKind.Star)
            {
                // Remember where the star is; first try it as the empty run.
                starToken = p++;
                starText = i;
            }
            else if (p < tokens.Length && tokens[p].Matches(text[i]))
            {
                p++;
                i++;
            }
            else if (starToken >= 0)
            {
                // Let the last star take one more character and retry from just after it.
                p = starToken + 1;
                i = ++starText;
            }
            else
            {
                return false;
            }
        }

        while (p < tokens.Length && tokens[p].Kind == TokenKind.Star)
        {
            p++;
        }

        return p == tokens.Length;
    }

    private static Token[] Parse(string glob)
    {
        var tokens = new List<Token>(glob.Length);
        for (var i = 0; i < glob.Length; i++)
        {
            var c = glob[i];
            switch (c)
            {
                case '*':
                    // Consecutive stars match what one star matches.
                    if (tokens.Count == 0 || tokens[^1].Kind != TokenKind.Star)
                    {
                        tokens.Add(new Token(TokenKind.Star));
                    }

                    break;
                case '?':
                    tokens.Add(new Token(TokenKind.Any));
                    break;
                case '[' when TryParseSet(glob, i, out var set, out var end):
                    tokens.Add(set);
                    i = end;
                    break;
                default:
                    tokens.Add(new Token(TokenKind.Literal, c));
                    break;
            }
        }

        return [.. tokens];
    }

    /// <summary>Parses <c>[...]</c> starting at <paramref name="open"/>; <paramref name="end"/> is the closing bracket.</summary>
    private static bool TryParseSet(string glob, int open, out Token set, out int end)
    {
        set = default;
        var j = open + 1;
        var negated = j < glob.Length && glob[j] == '!';
        if (negated)
        {
            j++;
        }

        var first = j;
        if (j < glob.Length && glob[j] == ']')
        {
            j++;
        }

        while (j < glob.Length && glob[j] != ']')
        {
            j++;
        }

        end = j;
        if (j >= glob.Length)
        {
            return false;
        }

        var members = glob[first..j];
        var ranges = new List<(char Low, char High)>(members.Length);
        for (var k = 0; k < members.Length; k++)
        {
            if (k + 2 < members.Length && members[k + 1] == '-')
            {
                // An inverted range (z-a) matches nothing, as in fnmatch.
                if (members[k] <= members[k + 2])
                {
                    ranges.Add((members[k], members[k + 2]));
                }

                k += 2;
            }
            else
            {
                ranges.Add((members[k], members[k]));
            }
        }

        set = new Token(TokenKind.Set, default, [.. ranges], negated);
        return true;
    }

    private enum TokenKind
    {
        Literal,
        Any,
        Star,
        Set,
    }

    private readonly record struct Token(TokenKind Kind, char Literal = default, (char Low, char High)[]? Ranges = null, bool Negated = false)
    {
        public bool Matches(char c)
        {
            switch (Kind)
            {
                case TokenKind.Literal:
                    return c == Literal;
                case TokenKind.Any:
                    return true;
                case TokenKind.Set:
                    var inside = false;
                    foreach (var (low, high) in Ranges!)
                    {
                        if (c >= low && c <= high)
                        {
                            inside = true;
                            break;
                        }
                    }

                    return inside != Negated;
                default:
                    return false;
            }
        }
    }
}
