using System.Net;
using System.Text.RegularExpressions;
using Vespa.Client.Commands;
using Vespa.Emulator;
using Vespa.Testing;

namespace Vespa.Client.Tests.Commands;

/// <summary><c>vespa-client emulate</c>, invoked in-process through the real command tree with captured output.</summary>
public sealed partial class EmulateCommandTests
{
    [Fact]
    public async Task EmulateHelp_PrintsEveryOption_Exit0()
    {
        var (exit, output, error) = await RunAsync("emulate", "--help");

        Assert.Equal(ExitCodes.Success, exit);
        Assert.Empty(error);
        foreach (var option in new[] { "--host", "--port", "--scheme", "--key-file", "--save-key", "--worker", "--endpoint", "--account-key", "--allow-remote", "--help" })
        {
            Assert.Contains(option, output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task RootHelp_ListsEmulate_Exit0()
    {
        var (exit, output, _) = await RunAsync("--help");

        Assert.Equal(ExitCodes.Success, exit);
        Assert.Contains("emulate", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("emulate", "--bogus")]
    [InlineData("emulate", "--port", "abc")]
    [InlineData("emulate", "--port", "70000")]
    [InlineData("emulate", "--scheme", "auto")]
    [InlineData("emulate", "--worker", "not a url")]
    [InlineData("emulate", "--worker", "ftp://127.0.0.1/")]
    [InlineData("emulate", "--endpoint", "name=")]
    [InlineData("emulate", "--endpoint", "a", "--endpoint", "a=k")]
    [InlineData("emulate", "--key-file", "/nonexistent/key.pem")]
    [InlineData("emulate", "--host", "not-an-ip")]
    [InlineData("emulate", "--host", "0.0.0.0")]
    [InlineData("emulate", "--host", "::")]
    [InlineData("nonsense")]
    [InlineData]
    public async Task BadCommandLine_UsageError_Exit2(params string[] args)
    {
        var (exit, output, error) = await RunAsync(args);

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains("--help' for usage", error, StringComparison.Ordinal);
        Assert.DoesNotContain("local autoscaler on", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NonLoopbackHost_ErrorNamesAllowRemote()
    {
        var (_, _, error) = await RunAsync("emulate", "--host", "0.0.0.0");

        Assert.Contains("--allow-remote", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_FromCommandLine_Mapped()
    {
        var parse = Program.CreateRootCommand(new CliConsole(TextWriter.Null, TextWriter.Null, isTerminal: false)).Parse(
            ["emulate", "--host", "0.0.0.0", "--allow-remote", "--port", "0", "--scheme", "legacy", "-w", "http://127.0.0.1:3000/", "--worker", "https://10.0.0.2:4443",
             "-e", "one", "--endpoint", "two=secret", "--account-key", "acct"]);

        Assert.Empty(parse.Errors);
        Assert.True(EmulateCommand.TryCreateOptions(parse.CommandResult, out var options, out var error), error);
        Assert.Equal("0.0.0.0", options.Host);
        Assert.True(options.AllowRemote);
        Assert.Equal(0, options.Port);
        Assert.Equal(Core.Signatures.SignatureScheme.Legacy, options.Scheme);
        Assert.Equal([new Uri("http://127.0.0.1:3000/"), new Uri("https://10.0.0.2:4443")], options.Workers);
        Assert.Equal([new EmulatedEndpoint("one", "one-endpoint-key"), new EmulatedEndpoint("two", "secret")], options.Endpoints);
        Assert.Equal("acct", options.AccountKey);
    }

    [Fact]
    public void Options_Defaults()
    {
        var parse = Program.CreateRootCommand(new CliConsole(TextWriter.Null, TextWriter.Null, isTerminal: false)).Parse(["emulate"]);

        Assert.True(EmulateCommand.TryCreateOptions(parse.CommandResult, out var options, out _));
        Assert.Equal("127.0.0.1", options.Host);
        Assert.Equal(8081, options.Port);
        Assert.Equal(Core.Signatures.SignatureScheme.Url, options.Scheme);
        Assert.Null(options.PrivateKeyPemFile);
        Assert.Empty(options.Endpoints);
        Assert.Equal("local-account-key", options.AccountKey);
    }

    [Fact]
    public async Task Emulate_Runs_PrintsSetupAndOneLinePerReport_CtrlCExits0()
    {
        var keyFile = Path.Combine(Path.GetTempPath(), "vespa-emulate-test-" + Guid.NewGuid().ToString("N") + ".pem");
        var savedKey = keyFile + ".saved";
        await File.WriteAllTextAsync(keyFile, EmulatorTestKit.PrivateKeyPem);
        try
        {
            var output = new LockedStringWriter();
            var error = new LockedStringWriter();
            using var stop = new CancellationTokenSource();
            var run = Program.RunAsync(
                ["emulate", "--port", "0", "--key-file", keyFile, "--save-key", savedKey, "--endpoint", "chat=chat-key", "--account-key", "acct"],
                new CliConsole(output, error, isTerminal: false),
                stop.Token);

            await TaskTimeoutExtensions.WaitUntilAsync(() => output.ToString().Contains("Press Ctrl+C", StringComparison.Ordinal) || run.IsCompleted, "the banner");
            var banner = output.ToString();
            var baseUrl = BaseUrlPattern().Match(banner);
            Assert.True(baseUrl.Success, banner + error);
            Assert.Contains("REPORT_ADDR=" + baseUrl.Groups[1].Value, banner, StringComparison.Ordinal);
            Assert.Contains("Endpoint chat: key chat-key", banner, StringComparison.Ordinal);
            Assert.Contains("Account key: acct", banner, StringComparison.Ordinal);
            Assert.Equal(EmulatorTestKit.PrivateKeyPem.Trim(), (await File.ReadAllTextAsync(savedKey)).Trim());
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(savedKey));
            }

            var emulatorUrl = new Uri(baseUrl.Groups[1].Value);
            var status = await EmulatorTestKit.SendAsync(HttpMethod.Post, new Uri(emulatorUrl, "/worker_status/"), EmulatorTestKit.StatusBody("http://127.0.0.1:3999", loadtime: 4.25), null);
            var delete = await EmulatorTestKit.SendAsync(HttpMethod.Post, new Uri(emulatorUrl, "/delete_requests/"), """{"worker_id": 7, "mtoken": "m", "request_idxs": [31], "success": true}""", null);
            Assert.Equal(HttpStatusCode.OK, status.Status);
            Assert.Equal(HttpStatusCode.OK, delete.Status);
            await TaskTimeoutExtensions.WaitUntilAsync(() => output.ToString().Contains("delete_requests worker_id=7", StringComparison.Ordinal), "the report lines");

            await stop.CancelAsync();
            var exit = await run.DefaultTimeout();

            var text = output.ToString();
            Assert.Equal(ExitCodes.Success, exit);
            Assert.Contains("worker_status http://127.0.0.1:3999 id=7 loadtime=4.25", text, StringComparison.Ordinal);
            Assert.Contains("[31:ok]", text, StringComparison.Ordinal);
            Assert.EndsWith("emulator stopped" + Environment.NewLine, text, StringComparison.Ordinal);
            var reportLine = text.Split('\n').Single(l => l.Contains(" worker_status ", StringComparison.Ordinal));
            Assert.DoesNotContain("master-token", reportLine, StringComparison.Ordinal);
            Assert.Empty(error.ToString());
        }
        finally
        {
            File.Delete(keyFile);
            File.Delete(savedKey);
        }
    }

    [Fact]
    public async Task Emulate_PortTaken_Exit1()
    {
        await using var other = await EmulatorTestKit.StartAsync();
        var keyFile = Path.Combine(Path.GetTempPath(), "vespa-emulate-test-" + Guid.NewGuid().ToString("N") + ".pem");
        await File.WriteAllTextAsync(keyFile, EmulatorTestKit.PrivateKeyPem);
        try
        {
            var (exit, _, error) = await RunAsync("emulate", "--port", other.BaseUrl.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--key-file", keyFile);

            Assert.Equal(ExitCodes.Failure, exit);
            Assert.Contains("cannot start", error, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(keyFile);
        }
    }

    [Fact]
    public async Task Emulate_WorkerOnAnotherPort_BannerPrintsThatPort()
    {
        var keyFile = Path.Combine(Path.GetTempPath(), "vespa-emulate-test-" + Guid.NewGuid().ToString("N") + ".pem");
        await File.WriteAllTextAsync(keyFile, EmulatorTestKit.PrivateKeyPem);
        try
        {
            var output = new LockedStringWriter();
            using var stop = new CancellationTokenSource();
            var run = Program.RunAsync(["emulate", "--port", "0", "--key-file", keyFile, "--worker", "http://127.0.0.1:13000"], new CliConsole(output, TextWriter.Null, isTerminal: false), stop.Token);
            await TaskTimeoutExtensions.WaitUntilAsync(() => output.ToString().Contains("Press Ctrl+C", StringComparison.Ordinal) || run.IsCompleted, "the banner");
            await stop.CancelAsync();
            Assert.Equal(ExitCodes.Success, await run.DefaultTimeout());

            var banner = output.ToString();
            Assert.Contains("VESPA_WORKER_PORT=13000 VAST_TCP_PORT_13000=13000", banner, StringComparison.Ordinal);
            Assert.DoesNotContain("VAST_TCP_PORT_3000", banner, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(keyFile);
        }
    }

    private static async Task<(int Exit, string Output, string Error)> RunAsync(params string[] args)
    {
        var output = new LockedStringWriter();
        var error = new LockedStringWriter();
        var exit = await Program.RunAsync(args, new CliConsole(output, error, isTerminal: false), CancellationToken.None).DefaultTimeout();
        return (exit, output.ToString(), error.ToString());
    }

    [GeneratedRegex(@"local autoscaler on (http://127\.0\.0\.1:\d+)")]
    private static partial Regex BaseUrlPattern();
}
