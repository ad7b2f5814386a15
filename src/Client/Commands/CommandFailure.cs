using Vespa.Client.Output;

namespace Vespa.Client.Commands;

/// <summary>Why a command stopped, with its exit code (<see cref="ExitCodes"/>) and, for the proxy's error answers, a
/// short machine-readable code (<c>no_capacity</c>, <c>worker_unreachable</c>, <c>invalid_api_key</c>, ...).</summary>
internal sealed record CommandFailure(int ExitCode, string Message, string? Code = null)
{
    /// <summary>Prints the failure: <c>vespa-client &lt;command&gt;: &lt;message&gt;</c> on the error writer, and with
    /// <c>--json</c> also <c>{"error", "exit_code"}</c> on the output, and returns the exit code.</summary>
    public async Task<int> ReportAsync(CliConsole console, string command, bool json)
    {
        ArgumentNullException.ThrowIfNull(console);
        // Messages quote what servers said: on a terminal, their control characters are shown, not obeyed.
        var message = console.IsErrorTerminal ? TerminalText.Sanitize(Message) : Message;
        await console.Error.WriteLineAsync($"vespa-client {command}: {message}").ConfigureAwait(false);
        if (json)
        {
            await console.Output.WriteLineAsync(JsonOutput.Write(writer =>
            {
                writer.WriteStartObject();
                writer.WriteString("error", Message);
                writer.WriteNumber("exit_code", ExitCode);
                writer.WriteEndObject();
            })).ConfigureAwait(false);
        }

        await console.Output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        await console.Error.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        return ExitCode;
    }

    public static CommandFailure Usage(string message) => new(ExitCodes.Usage, message, "invalid_request");

    public static CommandFailure Auth(string message) => new(ExitCodes.Auth, message, "invalid_api_key");

    public static CommandFailure Cancelled() => new(ExitCodes.Cancelled, "cancelled", "cancelled");
}
