using System.Text.Json;
using Vespa.Client.Tests.Infrastructure;
using Vespa.Emulator;
using Vespa.Testing;

namespace Vespa.Client.Tests.Commands;

/// <summary><c>endpoints</c>, <c>key</c>, the account-key sources, and picking an endpoint on a terminal.</summary>
public sealed class EndpointAndKeyCommandTests : IAsyncLifetime
{
    private AutoscalerEmulator _emulator = null!;

    public async Task InitializeAsync() =>
        _emulator = await EmulatorTestKit.StartAsync(o =>
        {
            o.Endpoints.Add(EmulatedEndpoint.Default);
            o.Endpoints.Add(new EmulatedEndpoint("zeta", "zeta-key"));
            o.Endpoints.Add(new EmulatedEndpoint("alpha-llm", "alpha-key"));
        });

    public Task DisposeAsync() => _emulator.DisposeAsync().AsTask();

    private string Console => _emulator.BaseUrl.OriginalString;

    [Fact]
    public async Task Endpoints_TableSortedByName_NoKeys()
    {
        var run = await Cli.RunAsync("endpoints", "--console-url", Console, "--account-key", "local-account-key");

        Assert.Equal(ExitCodes.Success, run.Exit);
        var lines = run.Output.TrimEnd('\n').Split('\n');
        Assert.Equal(["NAME", "ID", "STATE"], lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(["alpha-llm", "local", "zeta"], lines[1..].Select(l => l.Split(' ')[0]));
        Assert.Contains("active", lines[1], StringComparison.Ordinal);
        Assert.DoesNotContain("-key", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Endpoints_Json()
    {
        var run = await Cli.RunAsync("endpoints", "--console-url", Console, "--account-key", "local-account-key", "--json");

        Assert.Equal(ExitCodes.Success, run.Exit);
        using var list = JsonDocument.Parse(run.Output);
        Assert.Equal(["alpha-llm", "local", "zeta"], list.RootElement.EnumerateArray().Select(e => e.GetProperty("name").GetString()));
        Assert.Equal(3, list.RootElement[0].GetProperty("id").GetInt64());
        Assert.False(list.RootElement[0].TryGetProperty("api_key", out _));
    }

    [Fact]
    public async Task Endpoints_AccountKeyFromTheEnvironment()
    {
        var services = Cli.Services(Cli.Environment(("VAST_API_KEY", "local-account-key"), ("VESPA_CONSOLE_URL", Console)));

        var run = await Cli.RunAsync(services, "endpoints");

        Assert.Equal(ExitCodes.Success, run.Exit);
        Assert.Contains("zeta", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Endpoints_AccountKeyFromTheHomeFile()
    {
        var home = Cli.TempDirectory();
        await File.WriteAllTextAsync(Path.Combine(home, ".vast_api_key"), "local-account-key\n");

        var run = await Cli.RunAsync(Cli.Services(Cli.Environment(home)), "endpoints", "--console-url", Console);

        Assert.Equal(ExitCodes.Success, run.Exit);
        Assert.Contains("alpha-llm", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Endpoints_FlagWinsOverEnvironment()
    {
        var services = Cli.Services(Cli.Environment(("VAST_API_KEY", "wrong")));

        var run = await Cli.RunAsync(services, "endpoints", "--console-url", Console, "--account-key", "local-account-key");

        Assert.Equal(ExitCodes.Success, run.Exit);
    }

    [Fact]
    public async Task Endpoints_NoAccountKey_AuthExit3()
    {
        var run = await Cli.RunAsync("endpoints", "--console-url", Console);

        Assert.Equal(ExitCodes.Auth, run.Exit);
        Assert.Contains("no account key", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Endpoints_WrongAccountKey_AuthExit3_Json()
    {
        var run = await Cli.RunAsync("endpoints", "--console-url", Console, "--account-key", "nope", "--json");

        Assert.Equal(ExitCodes.Auth, run.Exit);
        using var error = JsonDocument.Parse(run.Output);
        Assert.Equal(3, error.RootElement.GetProperty("exit_code").GetInt32());
        Assert.Contains("401", error.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, _emulator.GetRejectedCount(EmulatorOperation.EndpointJobs));
    }

    [Fact]
    public async Task Endpoints_Console5xx_Retried()
    {
        _emulator.Faults.FailNext(EmulatorOperation.EndpointJobs, 2, 502);

        var run = await Cli.RunAsync("endpoints", "--console-url", Console, "--account-key", "local-account-key");

        Assert.Equal(ExitCodes.Success, run.Exit);
        Assert.Equal(2, _emulator.Faults.GetFailedAttempts(EmulatorOperation.EndpointJobs));
    }

    [Fact]
    public async Task Key_PrintsOnlyTheKey()
    {
        var run = await Cli.RunAsync("key", "--console-url", Console, "--account-key", "local-account-key", "-e", "zeta");

        Assert.Equal(ExitCodes.Success, run.Exit);
        Assert.Equal("zeta-key\n", run.Output);
    }

    [Fact]
    public async Task Key_Json_EndpointFromTheEnvironment()
    {
        var services = Cli.Services(Cli.Environment(("VAST_ENDPOINT", "alpha-llm"), ("VAST_ACCOUNT_KEY", "local-account-key")));

        var run = await Cli.RunAsync(services, "key", "--console-url", Console, "--json");

        Assert.Equal(ExitCodes.Success, run.Exit);
        Assert.Equal("""{"endpoint":"alpha-llm","api_key":"alpha-key"}""" + "\n", run.Output);
    }

    [Fact]
    public async Task Key_UnknownEndpoint_UsageExit2_NamesTheKnownOnes()
    {
        var run = await Cli.RunAsync("key", "--console-url", Console, "--account-key", "local-account-key", "-e", "nope");

        Assert.Equal(ExitCodes.Usage, run.Exit);
        Assert.Contains("it has: alpha-llm, local, zeta", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Key_NoEndpoint_NotATerminal_UsageExit2()
    {
        var run = await Cli.RunAsync("key", "--console-url", Console, "--account-key", "local-account-key");

        Assert.Equal(ExitCodes.Usage, run.Exit);
        Assert.Contains("--endpoint", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Interactive_PickByNumber()
    {
        var run = await Cli.RunAsync(Cli.Services(), "3\n", interactive: true, CancellationToken.None,
            "key", "--console-url", Console, "--account-key", "local-account-key");

        Assert.Equal(ExitCodes.Success, run.Exit);
        Assert.Contains("  1) alpha-llm", run.Error, StringComparison.Ordinal);
        Assert.Contains("Endpoint [1-3 or name]: ", run.Error, StringComparison.Ordinal);
        Assert.Equal("zeta-key\n", run.Output);
    }

    [Fact]
    public async Task Interactive_WrongThenByName()
    {
        var run = await Cli.RunAsync(Cli.Services(), "9\nlocal\n", interactive: true, CancellationToken.None,
            "key", "--console-url", Console, "--account-key", "local-account-key");

        Assert.Equal(ExitCodes.Success, run.Exit);
        Assert.Contains("'9' is none of them.", run.Error, StringComparison.Ordinal);
        Assert.Equal("local-endpoint-key\n", run.Output);
    }

    [Fact]
    public async Task Interactive_InputEnds_UsageExit2()
    {
        var run = await Cli.RunAsync(Cli.Services(), "", interactive: true, CancellationToken.None,
            "key", "--console-url", Console, "--account-key", "local-account-key");

        Assert.Equal(ExitCodes.Usage, run.Exit);
        Assert.Contains("no endpoint chosen", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Interactive_CallPicksTheEndpointAndItsKey()
    {
        await using var worker = await ScriptedWorker.StartAsync();
        _emulator.RegisterWorker(worker.BaseUrl);

        var run = await Cli.RunAsync(Cli.Services(), "zeta\n", interactive: true, CancellationToken.None,
            "call", "GET", "/v1/models", "--autoscaler-url", Console, "--console-url", Console, "--account-key", "local-account-key");

        Assert.Equal(ExitCodes.Success, run.Exit);
        Assert.Contains("serverless_endpoint=zeta", Assert.Single(worker.Requests).QueryString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Call_EndpointKeyLookedUpWithTheAccountKey()
    {
        await using var worker = await ScriptedWorker.StartAsync();
        _emulator.RegisterWorker(worker.BaseUrl);

        var run = await Cli.RunAsync("call", "GET", "/v1/models", "--autoscaler-url", Console, "--console-url", Console, "-e", "alpha-llm", "--account-key", "local-account-key");

        Assert.Equal(ExitCodes.Success, run.Exit);
        Assert.Equal(1, _emulator.GetAcceptedCount(EmulatorOperation.EndpointJobs));
    }

    [Fact]
    public async Task Call_NoKeyAtAll_AuthExit3()
    {
        var run = await Cli.RunAsync("call", "GET", "/v1/models", "--autoscaler-url", Console, "-e", "zeta");

        Assert.Equal(ExitCodes.Auth, run.Exit);
        Assert.Contains("no endpoint key for 'zeta'", run.Error, StringComparison.Ordinal);
    }
}
