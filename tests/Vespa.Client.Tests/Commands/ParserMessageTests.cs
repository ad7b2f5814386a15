using Vespa.Client.Help;
using Vespa.Client.Tests.Infrastructure;
using Vespa.Testing;

namespace Vespa.Client.Tests.Commands;

/// <summary>
/// Issue 11 item 15: parser messages in the user's terms (no .NET type names), an unknown option named as one even
/// before METHOD, suggestions for typos, <c>help COMMAND</c>, examples and the exit-code table in every command's help,
/// and console-only commands without options that do not apply to them.
/// </summary>
public sealed class ParserMessageTests
{
    [Theory]
    [InlineData(new[] { "call", "POST", "/x", "--cost", "abc" }, "--cost 'abc' is not a number above 0 (e.g. 100 or 2.5).\nRun 'vespa-client call --help' for usage.\n")]
    [InlineData(new[] { "call", "POST", "/x", "--cost", "0" }, "--cost '0' is not a number above 0 (e.g. 100 or 2.5).\nRun 'vespa-client call --help' for usage.\n")]
    [InlineData(new[] { "proxy", "-p", "abc" }, "--port 'abc' is not a port number (0-65535; 0 picks a free one).\nRun 'vespa-client proxy --help' for usage.\n")]
    [InlineData(new[] { "proxy", "--port", "70000" }, "--port '70000' is not a port number (0-65535; 0 picks a free one).\nRun 'vespa-client proxy --help' for usage.\n")]
    [InlineData(new[] { "proxy", "--cost", "-2" }, "--cost '-2' is not a number above 0 (e.g. 100 or 2.5).\nRun 'vespa-client proxy --help' for usage.\n")]
    [InlineData(new[] { "call", "--verbose", "GET", "/x" }, "unknown option '--verbose' for 'vespa-client call'.\nRun 'vespa-client call --help' for usage.\n")]
    [InlineData(new[] { "call", "--dta", "{}", "POST", "/x" }, "unknown option '--dta' for 'vespa-client call'; did you mean '--data'?\nRun 'vespa-client call --help' for usage.\n")]
    [InlineData(new[] { "call", "POST", "/x", "--endpiont", "e" }, "unknown option '--endpiont' for 'vespa-client call'; did you mean '--endpoint'?\nRun 'vespa-client call --help' for usage.\n")]
    [InlineData(new[] { "endpoints", "--jsn" }, "unknown option '--jsn' for 'vespa-client endpoints'; did you mean '--json'?\nRun 'vespa-client endpoints --help' for usage.\n")]
    [InlineData(new[] { "cal" }, "'cal' is not a vespa-client command; did you mean 'call'?\nRun 'vespa-client --help' for usage.\n")]
    [InlineData(new[] { "proxi", "-e", "x" }, "'proxi' is not a vespa-client command; did you mean 'proxy'?\nRun 'vespa-client --help' for usage.\n")]
    [InlineData(new[] { "call", "POST", "/x", "extra" }, "unexpected argument 'extra'.\nRun 'vespa-client call --help' for usage.\n")]
    [InlineData(new[] { "call", "POST", "no-slash" }, "PATH 'no-slash' must start with '/'.\nRun 'vespa-client call --help' for usage.\n")]
    [InlineData(new[] { "key", "--vast-root-cert", "x" }, "unknown option '--vast-root-cert' for 'vespa-client key'.\nRun 'vespa-client key --help' for usage.\n")]
    [InlineData(new[] { "help", "cal" }, "'cal' is not a vespa-client command; did you mean 'call'?\n")]
    public async Task BadCommandLine_Exit2_ExactMessage(string[] args, string error)
    {
        var run = await Cli.RunAsync(args);

        Assert.Equal(ExitCodes.Usage, run.Exit);
        Assert.Equal(error, run.Error);
        Assert.Equal("", run.Output);
    }

    [Theory]
    [InlineData("call")]
    [InlineData("proxy")]
    [InlineData("endpoints")]
    [InlineData("key")]
    [InlineData("emulate")]
    public async Task HelpCommand_SameAsTheHelpOption(string command)
    {
        var viaCommand = await Cli.RunAsync("help", command);
        var viaOption = await Cli.RunAsync(command, "--help");

        Assert.Equal(ExitCodes.Success, viaCommand.Exit);
        Assert.Equal(viaOption.Output, viaCommand.Output);
        Assert.StartsWith("Description:", viaCommand.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("call", 3)]
    [InlineData("proxy", 3)]
    [InlineData("endpoints", 2)]
    [InlineData("key", 2)]
    [InlineData("emulate", 2)]
    public async Task Help_HasExamplesAndTheExitCodes(string command, int examples)
    {
        var run = await Cli.RunAsync(command, "--help");

        Assert.Equal(ExitCodes.Success, run.Exit);
        var lines = run.Output.Split('\n');
        var start = Array.IndexOf(lines, "Examples:");
        Assert.True(start > 0, run.Output);
        Assert.Equal(examples, lines.Skip(start + 1).TakeWhile(l => l.Length > 0).Count());
        var codes = lines.Skip(Array.IndexOf(lines, "Exit codes:") + 1).TakeWhile(l => l.Length > 0).Select(l => l.Trim().Split(' ')[0]).ToList();
        Assert.Equal(command == "emulate" ? ["0", "1", "2"] : ["0", "1", "2", "3", "4", "5", "6", "130"], codes);
    }

    [Fact]
    public async Task CallHelp_ExitCodeTableText()
    {
        var run = await Cli.RunAsync("call", "--help");

        Assert.Contains(
            "Exit codes:\n"
            + "  0    success (the proxy: stopped by Ctrl+C or SIGTERM)\n"
            + "  1    other runtime failure (e.g. the proxy's port is taken)\n"
            + "  2    usage: bad option or value, bad --data JSON, no endpoint, an endpoint the account lacks\n"
            + "  3    auth: no key found, or the autoscaler or console refused the key\n"
            + "  4    no capacity or out of time: no worker ready, timeouts, 429/503 after the retries\n"
            + "  5    transport: autoscaler, console or worker unreachable (refused, DNS, TLS), or a stream broke\n"
            + "  6    HTTP error: the worker, autoscaler or console answered another error\n"
            + "  130  cancelled by Ctrl+C while a request was under way\n",
            run.Output,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task HelpWithoutCommand_IsTheOverview()
    {
        var run = await Cli.RunAsync("help");

        Assert.Equal(ExitCodes.Success, run.Exit);
        Assert.Equal((await Cli.RunAsync("--help")).Output, run.Output);
        Assert.Contains("help <COMMAND>", run.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("endpoints")]
    [InlineData("key")]
    public async Task ConsoleCommands_ShowOnlyOptionsThatApply(string command)
    {
        var run = await Cli.RunAsync(command, "--help");

        foreach (var option in new[] { "--vast-root-cert", "--endpoint-key", "--api-key", "--max-retries", "--attempt-timeout", "--idle-timeout", "--max-connections", "--autoscaler-url" })
        {
            Assert.DoesNotContain(option, run.Output, StringComparison.Ordinal);
        }

        Assert.Contains("--timeout <SECONDS>                Total seconds for the console's answer, retries included.", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConsoleCommands_AcceptTheAutoscalerUrl_AsTheReadmeSetupAddsIt()
    {
        await using var emulator = await EmulatorTestKit.StartAsync();

        var run = await Cli.RunAsync("endpoints", "--account-key", "local-account-key",
            "--autoscaler-url", emulator.BaseUrl.OriginalString, "--console-url", emulator.BaseUrl.OriginalString);

        Assert.Equal(ExitCodes.Success, run.Exit);
        Assert.StartsWith("NAME", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CallHelp_HidesTheDeprecatedApiKey()
    {
        var run = await Cli.RunAsync("call", "--help");

        Assert.Contains("--endpoint-key <KEY>", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("--api-key", run.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("cal", "call")]
    [InlineData("--dta", "--data")]
    [InlineData("--dat", "--data")]
    [InlineData("--stram", "--stream")]
    [InlineData("xyz", null)]
    [InlineData("--zzzzzz", null)]
    public void Suggestions_Closest(string typed, string? expected) =>
        Assert.Equal(expected, Suggestions.Closest(typed, ["call", "proxy", "--data", "--stream", "--json", "--endpoint"]));
}
