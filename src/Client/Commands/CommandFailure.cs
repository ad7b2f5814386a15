using Vespa.Client.Output;

namespace Vespa.Client.Commands;

/// <summary>Why a command stopped, with its exit code (<see cref="ExitCodes"/>).</summary>
internal sealed record CommandFailure(int ExitCode, string Message)
{
    /// <summary>Prints the failure: <c>vespa-client &lt;command&gt;: &lt;message&gt;</c> on the error writer, and with
    /// <c>--json</c> also <c>{"error", "exit_code"}</c> on the output, and returns the exit code.</summary>
    public async Task<int> ReportAsync(CliConsole console, string command, bool json)
    {
        ArgumentNullException.ThrowIfNull(console);
        await console.Error.WriteLineAsync($"vespa-client {command}: {Message}").ConfigureAwait(false);
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

    public static CommandFailure Usage(string message) => new(ExitCodes.Usage, message);

    public static CommandFailure Auth(string message) => new(ExitCodes.Auth, message);

    public static CommandFailure Cancelled() => new(ExitCodes.Cancelled, "cancelled");
}
