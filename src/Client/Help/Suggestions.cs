namespace Vespa.Client.Help;

/// <summary>"Did you mean ...?" for a mistyped command or option: the closest known name by edit distance (adjacent
/// swaps count as one edit, so <c>--dta</c> finds <c>--data</c>), or the one name a token is a prefix of.</summary>
internal static class Suggestions
{
    /// <summary>The best candidate for <paramref name="typed"/>, or <c>null</c> when none is close.</summary>
    public static string? Closest(string typed, IEnumerable<string> candidates)
    {
        ArgumentNullException.ThrowIfNull(typed);
        ArgumentNullException.ThrowIfNull(candidates);
        var names = candidates.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var prefixed = names.Where(n => n.StartsWith(typed, StringComparison.Ordinal) && typed.TrimStart('-').Length >= 2).ToList();
        if (prefixed.Count == 1)
        {
            return prefixed[0];
        }

        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var name in names)
        {
            var distance = Distance(typed, name);
            if (distance < bestDistance)
            {
                best = name;
                bestDistance = distance;
            }
        }

        // Short words allow one edit, longer ones two: "cal" -> "call", "--endpiont" -> "--endpoint", "x" -> nothing.
        var allowed = typed.TrimStart('-').Length <= 4 ? 1 : 2;
        return bestDistance <= allowed ? best : null;
    }

    /// <summary>Optimal string alignment distance (Levenshtein plus transpositions of adjacent characters).</summary>
    internal static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}
