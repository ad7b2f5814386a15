using Vespa.Client.Commands;
using Vespa.Client.Configuration;
using Vespa.Client.Tests.Infrastructure;
using Vespa.Testing;

namespace Vespa.Client.Tests.Commands;

/// <summary>Help, usage errors (exit 2), settings from flags, environment and defaults, and the status line.</summary>
public sealed class ClientCommandLineTests
{
    [Theory]
    [InlineData("call")]
    [InlineData("proxy")]
    [InlineData("endpoints")]
    [InlineData("key")]
    public async Task Help_ListsOptionsWithTheirEnvironmentVariables(string command)
    {
        var run = await Cli.RunAsync(command, "--help");

        Assert.Equal(ExitCodes.Success, run.Exit);
        Assert.Contains("--account-key", run.Output, StringComparison.Ordinal);
        Assert.Contains("[env: VAST_API_KEY, then VAST_ACCOUNT_KEY", run.Output, StringComparison.Ordinal);
        Assert.Contains("--instance", run.Output, StringComparison.Ordinal);
        Assert.Contains("[env: VESPA_TIMEOUT]", run.Output, StringComparison.Ordinal);
        if (command is "call" or "proxy")
        {
            Assert.Contains("--vast-root-cert", run.Output, StringComparison.Ordinal);
            Assert.Contains("jvastai_root.cer", run.Output, StringComparison.Ordinal);
            Assert.Contains("[env: VAST_ENDPOINT_KEY]", run.Output, StringComparison.Ordinal);
            Assert.Contains("[env: VESPA_MAX_CONNECTIONS] [default: 100]", run.Output, StringComparison.Ordinal);
            Assert.Contains("[env: VESPA_MAX_CONNECTIONS_PER_HOST] [default: 20]", run.Output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task RootHelp_ListsEveryCommand()
    {
        var run = await Cli.RunAsync("--help");

        foreach (var command in new[] { "call", "proxy", "endpoints", "key", "emulate" })
        {
            Assert.Contains(command, run.Output, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("call")]
    [InlineData("call", "POST")]
    [InlineData("call", "POST", "no-slash")]
    [InlineData("call", "P O", "/x")]
    [InlineData("call", "GET", "/x", "--data", "{}")]
    [InlineData("call", "POST", "/x", "--raw", "--json")]
    [InlineData("call", "POST", "/x", "--cost", "0")]
    [InlineData("call", "POST", "/x", "--cost", "abc")]
    [InlineData("call", "POST", "/x", "-H", "no colon")]
    [InlineData("call", "POST", "/x", "-H", "Host: evil")]
    [InlineData("call", "POST", "/x", "--instance", "beta")]
    [InlineData("call", "POST", "/x", "--timeout", "-1", "-e", "a", "--endpoint-key", "k")]
    [InlineData("call", "POST", "/x", "--max-retries", "many", "-e", "a", "--endpoint-key", "k")]
    [InlineData("call", "POST", "/x", "--autoscaler-url", "ftp://x", "-e", "a", "--endpoint-key", "k")]
    [InlineData("call", "POST", "/x", "--data", "@/nonexistent/file", "-e", "a", "--endpoint-key", "k")]
    [InlineData("proxy", "--host", "0.0.0.0")]
    [InlineData("proxy", "--port", "70000")]
    [InlineData("proxy", "--cost", "-2")]
    [InlineData("endpoints", "--bogus")]
    [InlineData("key", "--instance", "staging")]
    public async Task BadCommandLine_UsageExit2(params string[] args)
    {
        var run = await Cli.RunAsync(args);

        Assert.Equal(ExitCodes.Usage, run.Exit);
        Assert.NotEmpty(run.Error);
    }

    [Fact]
    public async Task NoEndpoint_NotATerminal_UsageExit2()
    {
        var run = await Cli.RunAsync("call", "GET", "/v1/models", "--endpoint-key", "k");

        Assert.Equal(ExitCodes.Usage, run.Exit);
        Assert.Contains("VAST_ENDPOINT", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("VESPA_INSTANCE", "beta", "VESPA_INSTANCE 'beta' is not an instance")]
    [InlineData("VESPA_TIMEOUT", "soon", "VESPA_TIMEOUT 'soon'")]
    [InlineData("VESPA_ATTEMPT_TIMEOUT", "0", "VESPA_ATTEMPT_TIMEOUT '0'")]
    [InlineData("VESPA_MAX_CONNECTIONS", "0", "VESPA_MAX_CONNECTIONS '0'")]
    [InlineData("VESPA_MAX_CONNECTIONS_PER_HOST", "x", "VESPA_MAX_CONNECTIONS_PER_HOST 'x'")]
    [InlineData("VESPA_AUTOSCALER_URL", "not a url", "VESPA_AUTOSCALER_URL 'not a url'")]
    public async Task BadEnvironmentValue_UsageExit2_NamesTheVariable(string name, string value, string message)
    {
        var services = Cli.Services(Cli.Environment((name, value)));

        var run = await Cli.RunAsync(services, "call", "GET", "/x", "-e", "a", "--endpoint-key", "k");

        Assert.Equal(ExitCodes.Usage, run.Exit);
        Assert.Contains(message, run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Settings_Defaults_AreTheInstancesAndTheDocumentedValues()
    {
        var settings = Resolve([], Cli.Environment());

        Assert.Equal(new Uri("https://run.vast.ai"), settings.AutoscalerUrl);
        Assert.Equal(new Uri("https://console.vast.ai"), settings.ConsoleUrl);
        Assert.Equal(TimeSpan.FromSeconds(600), settings.TotalTimeout);
        Assert.Equal(TimeSpan.FromSeconds(300), settings.AttemptTimeout);
        Assert.Equal(5, settings.MaxRetries);
        Assert.Equal(100, settings.MaxConnections);
        Assert.Equal(20, settings.MaxConnectionsPerHost);
        Assert.Null(settings.VastRootCertificateFile);
    }

    [Theory]
    [InlineData("alpha", "https://run-alpha.vast.ai", "https://alpha.vast.ai")]
    [InlineData("candidate", "https://run-candidate.vast.ai", "https://candidate.vast.ai")]
    [InlineData("prod", "https://run.vast.ai", "https://console.vast.ai")]
    public void Settings_Instance_PicksItsUrls(string instance, string autoscaler, string console)
    {
        var settings = Resolve(["--instance", instance], Cli.Environment());

        Assert.Equal(new Uri(autoscaler), settings.AutoscalerUrl);
        Assert.Equal(new Uri(console), settings.ConsoleUrl);
        Assert.Equal(instance, settings.Instance);
    }

    [Fact]
    public void Settings_EnvironmentThenFlags()
    {
        var environment = Cli.Environment(("VESPA_TIMEOUT", "30"), ("VESPA_ATTEMPT_TIMEOUT", "12.5"), ("VESPA_MAX_RETRIES", "0"),
            ("VESPA_MAX_CONNECTIONS", "7"), ("VESPA_MAX_CONNECTIONS_PER_HOST", "3"), ("VESPA_INSTANCE", "alpha"), ("VESPA_AUTOSCALER_URL", "http://127.0.0.1:8081"));

        var fromEnvironment = Resolve([], environment);
        var fromFlags = Resolve(["--timeout", "9", "--max-connections", "50", "--instance", "candidate"], environment);

        Assert.Equal(TimeSpan.FromSeconds(30), fromEnvironment.TotalTimeout);
        Assert.Equal(TimeSpan.FromSeconds(12.5), fromEnvironment.AttemptTimeout);
        Assert.Equal(0, fromEnvironment.MaxRetries);
        Assert.Equal(7, fromEnvironment.MaxConnections);
        Assert.Equal(3, fromEnvironment.MaxConnectionsPerHost);
        Assert.Equal(new Uri("http://127.0.0.1:8081"), fromEnvironment.AutoscalerUrl);
        Assert.Equal(new Uri("https://alpha.vast.ai"), fromEnvironment.ConsoleUrl);
        Assert.Equal(TimeSpan.FromSeconds(9), fromFlags.TotalTimeout);
        // An attempt never outlives the whole request.
        Assert.Equal(TimeSpan.FromSeconds(9), fromFlags.AttemptTimeout);
        Assert.Equal(50, fromFlags.MaxConnections);
        Assert.Equal(new Uri("https://candidate.vast.ai"), fromFlags.ConsoleUrl);
    }

    [Fact]
    public async Task StatusLine_OnATerminal_ShowsWaiting_ThenIsErased()
    {
        await using var emulator = await EmulatorTestKit.StartAsync();
        await using var worker = await ScriptedWorker.StartAsync();
        var output = new LockedStringWriter();
        var error = new LockedStringWriter();
        var console = new CliConsole(output, error, isTerminal: false) { IsErrorTerminal = true };
        var call = Program.RunAsync(Cli.Against(emulator, "call", "GET", "/v1/models"), console, Cli.Services(), CancellationToken.None);
        await TaskTimeoutExtensions.WaitUntilAsync(() => error.ToString().Contains("waiting for a worker", StringComparison.Ordinal), "the status line");
        emulator.RegisterWorker(worker.BaseUrl);

        Assert.Equal(ExitCodes.Success, await call.DefaultTimeout());
        Assert.EndsWith("\r\u001b[K", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("waiting", output.ToString(), StringComparison.Ordinal);
    }

    private static ClientSettings Resolve(string[] flags, ClientEnvironment environment)
    {
        var options = new ClientOptions(routing: true);
        var command = new System.CommandLine.Command("test");
        options.AddTo(command, endpoint: true);
        var parse = command.Parse(flags);
        Assert.Empty(parse.Errors);
        Assert.True(options.TryResolve(parse, environment, out var settings, out var error), error);
        return settings;
    }
}
