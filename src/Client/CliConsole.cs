namespace Vespa.Client;

/// <summary>
/// Where a command reads and writes, and which of those are terminals (tables that redraw, spinners, prompts) rather
/// than pipes or files (plain lines, no prompts). Commands never touch <see cref="Console"/> directly, so tests capture
/// their output and drive their prompts.
/// </summary>
internal sealed class CliConsole(TextWriter output, TextWriter error, bool isTerminal, int width = CliConsole.DefaultWidth)
{
    /// <summary>The width assumed when the terminal cannot tell.</summary>
    public const int DefaultWidth = 120;

    private Stream? _outputStream;

    public TextWriter Output { get; } = output;

    public TextWriter Error { get; } = error;

    /// <summary>Whether <see cref="Output"/> is an interactive terminal.</summary>
    public bool IsTerminal { get; } = isTerminal;

    /// <summary>Columns available on a terminal.</summary>
    public int Width { get; } = width > 20 ? width : DefaultWidth;

    /// <summary>Standard input as text (prompts, <c>--data -</c>). <value>Default: empty.</value></summary>
    public TextReader Input { get; init; } = TextReader.Null;

    /// <summary>Whether <see cref="Input"/> is a terminal a person types into. <value>Default <c>false</c>.</value></summary>
    public bool IsInputTerminal { get; init; }

    /// <summary>Whether <see cref="Error"/> is a terminal: where spinners and status lines may be drawn.
    /// <value>Default <c>false</c>.</value></summary>
    public bool IsErrorTerminal { get; init; }

    /// <summary>Standard output as bytes, for bodies printed unchanged (<c>--raw</c>, binary answers). Flush
    /// <see cref="Output"/> before writing here. <value>Default: a UTF-8 view of <see cref="Output"/>.</value></summary>
    public Stream OutputStream
    {
        get => _outputStream ??= new TextWriterStream(Output);
        init => _outputStream = value;
    }

    /// <summary>Whether a person can be asked a question: input from a terminal, and a terminal to show the question on.</summary>
    public bool IsInteractive => IsInputTerminal && (IsTerminal || IsErrorTerminal);

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

        return new CliConsole(Console.Out, Console.Error, terminal, width)
        {
            Input = Console.In,
            IsInputTerminal = !Console.IsInputRedirected,
            IsErrorTerminal = !Console.IsErrorRedirected,
            OutputStream = Console.OpenStandardOutput(),
        };
    }
}
