using System.CommandLine;
using System.CommandLine.Invocation;
using System.Runtime.InteropServices;
using Vespa.Client.Commands;
using Vespa.Client.Help;

namespace Vespa.Client;

/// <summary>vespa-client entry point: builds the command tree, parses, invokes.</summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        // The first Ctrl+C or SIGTERM cancels the running command, which then stops cleanly (long-running commands exit 0,
        // a request under way exits 130); a second Ctrl+C is not intercepted and ends the process at once.
        using var stop = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            if (!stop.IsCancellationRequested)
            {
                e.Cancel = true;
                stop.Cancel();
            }
        };
        Console.CancelKeyPress += onCancel;
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stop.Cancel();
        });
        try
        {
            return await RunAsync(args, CliConsole.FromSystemConsole(), ClientServices.Default, stop.Token).ConfigureAwait(false);
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    /// <summary>The whole command tree: one factory per command under <c>Commands/</c>.</summary>
    internal static RootCommand CreateRootCommand(CliConsole console) => CreateRootCommand(console, ClientServices.Default);

    /// <inheritdoc cref="CreateRootCommand(CliConsole)"/>
    internal static RootCommand CreateRootCommand(CliConsole console, ClientServices services)
    {
        var root = new RootCommand("vespa-client: tools for vast.ai serverless endpoints and for developing Vespa workers.")
        {
            CallCommand.Create(console, services),
            ProxyCommand.Create(console, services),
            EndpointsCommand.Create(console, services),
            KeyCommand.Create(console, services),
            EmulateCommand.Create(console),
            HelpCommand.Create(console),
        };
        HelpText.Install(root);
        return root;
    }

    /// <summary>Parses and runs <paramref name="args"/>. Parse errors print the problems (in the user's terms, with
    /// suggestions: <see cref="CommandLineErrors"/>) and a pointer to <c>--help</c> on the error writer and return
    /// <see cref="ExitCodes.Usage"/>.</summary>
    internal static Task<int> RunAsync(IReadOnlyList<string> args, CliConsole console, CancellationToken cancellationToken) =>
        RunAsync(args, console, ClientServices.Default, cancellationToken);

    /// <inheritdoc cref="RunAsync(IReadOnlyList{string}, CliConsole, CancellationToken)"/>
    internal static async Task<int> RunAsync(IReadOnlyList<string> args, CliConsole console, ClientServices services, CancellationToken cancellationToken)
    {
        // No response files: '@FILE' is call's --data syntax (curl's), not a file of more arguments.
        var parseResult = CreateRootCommand(console, services).Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (parseResult.Errors.Count > 0 && parseResult.Action is ParseErrorAction)
        {
            foreach (var line in CommandLineErrors.Describe(parseResult))
            {
                await console.Error.WriteLineAsync(line).ConfigureAwait(false);
            }

            await console.Error.WriteLineAsync($"Run '{CommandLineErrors.CommandPath(parseResult.CommandResult)} --help' for usage.").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        var configuration = new InvocationConfiguration
        {
            Output = console.Output,
            Error = console.Error,
            // Main owns Ctrl+C and SIGTERM (see above), so commands see one token and exit 0 when it fires.
            ProcessTerminationTimeout = null,
        };
        return await parseResult.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
    }
}
