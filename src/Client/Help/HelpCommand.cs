using System.CommandLine;

namespace Vespa.Client.Help;

/// <summary><c>vespa-client help [COMMAND]</c>: the same text as <c>COMMAND --help</c> (or the overview).</summary>
internal static class HelpCommand
{
    public static Command Create(CliConsole console)
    {
        var name = new Argument<string?>("COMMAND") { Description = "The command to explain.", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("help", "Show a command's options, examples and exit codes.") { name };
        command.SetAction(parse =>
        {
            var root = parse.RootCommandResult.Command;
            var target = parse.GetValue(name);
            var commands = root.Subcommands.Where(c => !c.Hidden).Select(c => c.Name).ToList();
            if (target is not null && !commands.Contains(target, StringComparer.Ordinal))
            {
                var suggestion = Suggestions.Closest(target, commands);
                console.Error.WriteLine($"'{target}' is not a vespa-client command" + (suggestion is null ? $"; the commands are: {string.Join(", ", commands)}." : $"; did you mean '{suggestion}'?"));
                return ExitCodes.Usage;
            }

            var inner = root.Parse(target is null ? ["--help"] : [target, "--help"]);
            // "call --help" still validates call's arguments; only a parse that will not show help is an error.
            if (inner.Action is System.CommandLine.Invocation.ParseErrorAction)
            {
                foreach (var line in CommandLineErrors.Describe(inner))
                {
                    console.Error.WriteLine(line);
                }

                console.Error.WriteLine("Run 'vespa-client --help' for the commands.");
                return ExitCodes.Usage;
            }

            return inner.Invoke(new InvocationConfiguration { Output = console.Output, Error = console.Error });
        });
        return command;
    }
}
