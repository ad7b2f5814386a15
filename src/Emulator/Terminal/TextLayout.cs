using System.Text;

namespace Vespa.Emulator.Terminal;

/// <summary>Fits text to a terminal's width: a redrawn block must never be wrapped by the terminal (the cursor would
/// move back too few lines), so every line it prints is at most <c>width − 1</c> columns.</summary>
public static class TextLayout
{
    /// <summary>The narrowest width the views lay out for.</summary>
    public const int MinimumWidth = 40;

    /// <summary>The columns a line may use on a terminal <paramref name="width"/> wide.</summary>
    public static int Usable(int width) => Math.Max(MinimumWidth, width) - 1;

    /// <summary><paramref name="text"/> cut to <paramref name="max"/> columns, ending in '…' when cut.</summary>
    public static string Fit(string text, int max)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Length <= max ? text : max <= 1 ? text[..max] : text[..(max - 1)] + "…";
    }

    /// <summary><paramref name="text"/> cut from the left, keeping its end (a worker's port tells workers apart).</summary>
    public static string FitLeft(string text, int max)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Length <= max ? text : max <= 1 ? text[^max..] : "…" + text[^(max - 1)..];
    }

    /// <summary>Word-wraps <paramref name="text"/> to <paramref name="max"/> columns; continuation lines start with
    /// <paramref name="indent"/> spaces. A word longer than a line is split.</summary>
    public static IReadOnlyList<string> Wrap(string text, int max, int indent = 2)
    {
        ArgumentNullException.ThrowIfNull(text);
        indent = Math.Clamp(indent, 0, max / 2);
        var pad = new string(' ', indent);
        var lines = new List<string>();
        var current = new StringBuilder();
        foreach (var word in text.ReplaceLineEndings(" ").Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var rest = word;
            while (rest.Length > 0)
            {
                if (current.Length > 0)
                {
                    if (current.Length + 1 + rest.Length <= max)
                    {
                        current.Append(' ').Append(rest);
                        rest = "";
                    }
                    else
                    {
                        lines.Add(current.ToString());
                        current.Clear();
                    }

                    continue;
                }

                var start = lines.Count == 0 ? "" : pad;
                var room = max - start.Length;
                if (rest.Length <= room)
                {
                    current.Append(start).Append(rest);
                    rest = "";
                }
                else
                {
                    // A word wider than a whole line: split it.
                    lines.Add(start + rest[..room]);
                    rest = rest[room..];
                }
            }
        }

        if (current.Length > 0 || lines.Count == 0)
        {
            lines.Add(current.ToString());
        }

        return lines;
    }

    /// <summary>Packs <paramref name="items"/> into lines of at most <paramref name="max"/> columns, separated by
    /// <paramref name="separator"/>; every line starts with <paramref name="indent"/> spaces. An item never splits
    /// across lines unless it is wider than a line on its own.</summary>
    public static IReadOnlyList<string> Pack(IEnumerable<string> items, int max, int indent = 2, string separator = "  ")
    {
        ArgumentNullException.ThrowIfNull(items);
        var lines = new List<string>();
        var pad = new string(' ', indent);
        var line = "";
        foreach (var item in items)
        {
            var candidate = line.Length == 0 ? pad + item : line + separator + item;
            if (candidate.Length <= max || line.Length == 0)
            {
                line = candidate;
                continue;
            }

            lines.Add(line);
            line = pad + item;
        }

        if (line.Length > 0)
        {
            lines.Add(line);
        }

        return [.. lines.SelectMany(l => l.Length <= max ? [l] : Wrap(l.TrimStart(), max - indent, 0).Select(w => pad + w))];
    }
}
