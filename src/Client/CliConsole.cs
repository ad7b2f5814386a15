namespace Vespa.Client;

/// <summary>
/// Where a command writes, and whether that is a terminal (tables that redraw) or a pipe or file (plain lines).
/// Commands never touch <see cref="Console"/> directly, so tests capture their output.
/// </summary>
internal sealed class CliConsole(TextWriter output, TextWriter error, bool isTerminal, int width = CliConsole.DefaultWidth)
{
    /// <summary>The width assumed when the terminal cannot tell.</summary>
    public const int DefaultWidth = 120;

    public TextWriter Output { get; } = output;

    public TextWriter Error { get; } = error;

    /// <summary>Whether <see cref="Output"/> is an interactive terminal.</summary>
    public bool IsTerminal { get; } = isTerminal;

    /// <summary>Columns available on a terminal.</summary>
    public int Width { get; } = width > 20 ? width : DefaultWidth;

    public static CliConsole FromSystemConsole()
    {
        var terminal = !Console.IsOutputRedirected;
        var width = DefaultWidth;
        if (terminal)
        {
            try
            {
                width = Console.WindowWidth;
            }
            catch (IOException)
            {
                // No real terminal after all (e.g. no TTY attached to stdout's descriptor): keep the default.
            }
        }

        return new CliConsole(Console.Out, Console.Error, terminal, width);
    }
}
