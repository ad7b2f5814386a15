using System.CommandLine.Parsing;
using System.Globalization;
using Vespa.Client.Requests;

namespace Vespa.Client.Commands;

/// <summary>Value parsers for typed options, so a bad value gets a message about the option and what it takes
/// ("--cost 'abc' is not a number above 0.") instead of the parser's .NET type names.</summary>
internal static class OptionParsers
{
    /// <summary><c>--cost</c>: a finite number above 0.</summary>
    public static double? Cost(ArgumentResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var text = Single(result);
        if (WorkerRequestForms.TryParseCost(text, out var cost))
        {
            return cost;
        }

        result.AddError($"{Name(result)} '{text}' is not a number above 0 (e.g. 100 or 2.5).");
        return null;
    }

    /// <summary><c>--port</c>: 0 to 65535.</summary>
    public static int Port(ArgumentResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var text = Single(result);
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port <= 65535)
        {
            return port;
        }

        result.AddError($"{Name(result)} '{text}' is not a port number (0-65535; 0 picks a free one).");
        return 0;
    }

    private static string Single(ArgumentResult result) => result.Tokens.Count == 0 ? "" : result.Tokens[^1].Value;

    private static string Name(ArgumentResult result) => result.Parent is OptionResult option ? option.Option.Name : "the value";
}
