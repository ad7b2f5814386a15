using System.CommandLine;
using System.CommandLine.Parsing;

namespace Vespa.Client.Help;

/// <summary>
/// Turns the parser's errors into messages about what the user typed: an unknown option is named as one (with the
/// closest real option), even where the parser took it for METHOD or PATH and then complained about the arguments it
/// shifted; an unknown command gets the closest command. Errors about option values are kept as they are (their
/// parsers word them).
/// </summary>
internal static class CommandLineErrors
{
    private const string Unrecognized = "Unrecognized command or argument '";

    public static IReadOnlyList<string> Describe(ParseResult parseResult)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        var command = parseResult.CommandResult.Command;
        var path = CommandPath(parseResult.CommandResult);
        var lines = new List<string>();

        // An unknown command comes first: what follows it was meant for that command, so it is not judged here.
        var unknownCommand = command.Subcommands.Count > 0 && parseResult.UnmatchedTokens.Count > 0 && !LooksLikeOption(parseResult.UnmatchedTokens[0]);

        // Tokens that look like options but matched none: unmatched, or taken as one of the command's arguments.
        var argumentTokens = parseResult.CommandResult.Children.OfType<ArgumentResult>().SelectMany(a => a.Tokens).Select(t => t.Value);
        var unknownOptions = unknownCommand
            ? []
            : argumentTokens.Concat(parseResult.UnmatchedTokens).Where(LooksLikeOption).Distinct(StringComparer.Ordinal).ToList();
        foreach (var token in unknownOptions)
        {
            var name = token.Split('=', 2)[0];
            var suggestion = Suggestions.Closest(name, OptionNames(parseResult.CommandResult));
            lines.Add($"unknown option '{name}' for '{path}'" + (suggestion is null ? "." : $"; did you mean '{suggestion}'?"));
        }

        var unmatched = unknownCommand ? [parseResult.UnmatchedTokens[0]] : parseResult.UnmatchedTokens.Where(t => !LooksLikeOption(t)).ToList();
        if (unknownOptions.Count == 0)
        {
            foreach (var token in unmatched)
            {
                if (unknownCommand)
                {
                    var suggestion = Suggestions.Closest(token, command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name));
                    lines.Add($"'{token}' is not a {path} command" + (suggestion is null ? $"; the commands are: {string.Join(", ", command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name))}." : $"; did you mean '{suggestion}'?"));
                }
                else
                {
                    lines.Add($"unexpected argument '{token}'.");
                }
            }
        }

        foreach (var error in parseResult.Errors)
        {
            if (error.Message.StartsWith(Unrecognized, StringComparison.Ordinal))
            {
                // Said above, in the user's terms.
                continue;
            }

            if (unknownOptions.Count > 0 && error.SymbolResult is not OptionResult)
            {
                // The arguments after an unknown option are shifted: complaints about them would mislead.
                continue;
            }

            if (unmatched.Count > 0 && command.Subcommands.Count > 0 && error.SymbolResult is CommandResult)
            {
                // "Required command was not provided": the unknown command above says it.
                continue;
            }

            lines.Add(error.Message);
        }

        return lines;
    }

    /// <summary>"vespa-client call" for a command result (the root is named after the product, not after the host
    /// process, which is <c>testhost</c> under tests).</summary>
    public static string CommandPath(CommandResult? result)
    {
        var names = new List<string>();
        for (; result is not null; result = result.Parent as CommandResult)
        {
            names.Add(result.Parent is null ? "vespa-client" : result.Command.Name);
        }

        names.Reverse();
        return string.Join(' ', names);
    }

    private static bool LooksLikeOption(string token) =>
        token.Length > 1 && token[0] == '-' && !double.TryParse(token, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _);

    /// <summary>The options a command takes, with their aliases and the recursive ones of its parents (e.g.
    /// <c>--help</c>); hidden ones are not suggested.</summary>
    private static IEnumerable<string> OptionNames(CommandResult result)
    {
        var own = result.Command.Options.Where(o => !o.Hidden);
        var inherited = new List<Option>();
        for (var parent = result.Parent as CommandResult; parent is not null; parent = parent.Parent as CommandResult)
        {
            inherited.AddRange(parent.Command.Options.Where(o => o.Recursive && !o.Hidden));
        }

        return own.Concat(inherited).SelectMany(o => o.Aliases.Prepend(o.Name));
    }
}
