using System.Net;
using System.Text.Json;
using Vespa.Client.Tests.Infrastructure;
using Vespa.Emulator;
using Vespa.Testing;

namespace Vespa.Client.Tests.Commands;

/// <summary>
/// Issue 11 item 11: a stopped worker (connection refused) is a transport failure, exit 5 with the cause in the final
/// message, whatever the retry count; the open circuit it leads to does not turn it into "no capacity". The proxy
/// answers the same way (502, <c>worker_unreachable</c>), and a later request while the circuit is open fails after a
/// few immediate re-routes instead of the whole back-off series.
/// </summary>
public sealed class StoppedWorkerTests : IAsyncLifetime
{
    private AutoscalerEmulator _emulator = null!;
    private Uri _dead = null!;

    public async Task InitializeAsync()
    {
        _dead = DeadPort.Url();
        _emulator = await EmulatorTestKit.StartAsync(o => o.Workers.Add(_dead));
    }

    public Task DisposeAsync() => _emulator.DisposeAsync().AsTask();

    private string Dead => _dead.GetLeftPart(UriPartial.Authority);

    private string Refused => $"Connection refused ({_dead.Host}:{_dead.Port})";

    /// <summary>Fast back-off, and a circuit break far longer than any test, so a busy machine cannot half-open it.</summary>
    private static ClientServices Services() => Cli.Services(tune: s => Cli.Fast(s) with { BreakerDuration = TimeSpan.FromMinutes(10) });

    [Fact]
    public async Task Call_DefaultRetries_Exit5_CauseInTheMessage()
    {
        var run = await Cli.RunAsync(Services(), Cli.Against(_emulator, "call", "POST", "/v1/x", "--data", "{}"));

        Assert.Equal(ExitCodes.Transport, run.Exit);
        Assert.Equal($"vespa-client call: worker {Dead} failed: {Refused}; its circuit is open after repeated failures, so it is skipped for now (after 6 failed attempts)\n", run.Error);
        // Three refusals open the circuit; then three immediate re-routes find it open.
        Assert.Equal(6, _emulator.GetAcceptedCount(EmulatorOperation.Route));
    }

    [Fact]
    public async Task Call_OneRetry_Exit5_SameCause()
    {
        var run = await Cli.RunAsync(Services(), Cli.Against(_emulator, "call", "POST", "/v1/x", "--data", "{}", "--max-retries", "1"));

        Assert.Equal(ExitCodes.Transport, run.Exit);
        Assert.Equal($"vespa-client call: worker {Dead} failed: {Refused} (after 2 failed attempts)\n", run.Error);
    }

    [Fact]
    public async Task Call_Json_ExitCode5()
    {
        var run = await Cli.RunAsync(Services(), Cli.Against(_emulator, "call", "GET", "/v1/x", "--json"));

        Assert.Equal(ExitCodes.Transport, run.Exit);
        using var error = JsonDocument.Parse(run.Output);
        Assert.Equal(5, error.RootElement.GetProperty("exit_code").GetInt32());
        Assert.Contains(Refused, error.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Proxy_502WithTheCause_LaterRequestFailsAfterThreeReroutes()
    {
        await using var proxy = await ProxyHost.StartAsync(_emulator, s => Cli.Fast(s) with { BreakerDuration = TimeSpan.FromMinutes(10) });
        var routesAtStart = _emulator.GetAcceptedCount(EmulatorOperation.Route);

        using var first = await proxy.Client.GetAsync("/v1/models").DefaultTimeout();
        var routesAfterFirst = _emulator.GetAcceptedCount(EmulatorOperation.Route);
        using var second = await proxy.Client.GetAsync("/v1/models").DefaultTimeout();

        Assert.Equal(HttpStatusCode.BadGateway, first.StatusCode);
        Assert.Equal(
            $$$"""{"error":{"message":"worker {{{Dead}}} failed: {{{Refused}}}; its circuit is open after repeated failures, so it is skipped for now (after 6 failed attempts)","type":"server_error","code":"worker_unreachable"}}""",
            await first.Content.ReadAsStringAsync().DefaultTimeout());
        Assert.Equal(6, routesAfterFirst - routesAtStart);
        Assert.Equal(HttpStatusCode.BadGateway, second.StatusCode);
        Assert.Equal(
            $$$"""{"error":{"message":"worker {{{Dead}}} failed: {{{Refused}}}; its circuit is open after repeated failures, so it is skipped for now (after 3 failed attempts)","type":"server_error","code":"worker_unreachable"}}""",
            await second.Content.ReadAsStringAsync().DefaultTimeout());
        Assert.Equal(3, _emulator.GetAcceptedCount(EmulatorOperation.Route) - routesAfterFirst);
    }
}
