using System.Text.RegularExpressions;

namespace Vespa.Deploy.Tests.Support;

/// <summary>
/// The environment variables README.md documents: the names in backticks in the column headed "variable" (the
/// worker's, the engine's, start_server.sh's and the scripts' tables) or "environment" (vespa-client's options) of
/// every Markdown table outside code blocks. A cell may hold several names (<c>`A` / `B`</c>); an abbreviation
/// such as <c>`VESPA_X_LIMIT` / `_PER_HOST`</c> is collected apart, since it names nothing a search can find.
/// </summary>
internal sealed partial class ReadmeVariableTables
{
    private static readonly string[] VariableColumns = ["variable", "environment"];

    private ReadmeVariableTables()
    {
    }

    /// <summary>Each documented <c>VESPA_</c> name with the (1-based) README line of its first row.</summary>
    public SortedDictionary<string, int> Variables { get; } = new(StringComparer.Ordinal);

    /// <summary>Cells that shorten a name (<c>`_RESUME`</c>), as "line N: cell".</summary>
    public List<string> Abbreviations { get; } = [];

    /// <summary>How many tables have a variable column (a parse that finds none is broken).</summary>
    public int TableCount { get; private set; }

    public static ReadmeVariableTables Load(string path)
    {
        var result = new ReadmeVariableTables();
        var lines = File.ReadAllLines(path);
        var inCode = false;
        int? column = null;
        var previousWasTable = false;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.StartsWith("```", StringComparison.Ordinal))
            {
                inCode = !inCode;
            }

            var isTable = !inCode && line.StartsWith('|');
            if (!isTable)
            {
                previousWasTable = false;
                column = null;
                continue;
            }

            var cells = Cells(line);
            if (!previousWasTable)
            {
                // A table's first row is its header.
                column = FindVariableColumn(cells);
                if (column is not null)
                {
                    result.TableCount++;
                }
            }
            else if (column is { } index && index < cells.Count && !Separator().IsMatch(line))
            {
                result.AddCell(cells[index], i + 1);
            }

            previousWasTable = true;
        }

        return result;
    }

    private static int? FindVariableColumn(List<string> header)
    {
        var index = header.FindIndex(cell => VariableColumns.Contains(cell.ToLowerInvariant(), StringComparer.Ordinal));
        return index >= 0 ? index : null;
    }

    /// <summary>The cells between the outer pipes; <c>\|</c> inside a cell is not a separator.</summary>
    private static List<string> Cells(string line)
    {
        var inner = line.Trim('|');
        return [.. CellSeparator().Split(inner).Select(cell => cell.Trim())];
    }

    private void AddCell(string cell, int lineNumber)
    {
        var spans = CodeSpan().Matches(cell).Select(code => code.Groups["text"].Value).ToList();
        if (spans.Any(text => text.StartsWith('_')))
        {
            Abbreviations.Add($"line {lineNumber}: {cell}");
        }

        foreach (var text in spans)
        {
            foreach (Match name in VespaName().Matches(text))
            {
                Variables.TryAdd(name.Value, lineNumber);
            }
        }
    }

    [GeneratedRegex(@"(?<!\\)\|")]
    private static partial Regex CellSeparator();

    [GeneratedRegex(@"^\|[\s|:-]+\|$")]
    private static partial Regex Separator();

    [GeneratedRegex(@"`(?<text>[^`]+)`")]
    private static partial Regex CodeSpan();

    [GeneratedRegex(@"(?<![A-Za-z0-9_])VESPA_[A-Z0-9]+(?:_[A-Z0-9]+)*(?![A-Za-z0-9_])")]
    private static partial Regex VespaName();
}
