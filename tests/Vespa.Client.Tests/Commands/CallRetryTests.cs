using System.Diagnostics;
using Vespa.Client.Tests.Infrastructure;
using Vespa.Emulator;
using Vespa.Testing;

namespace Vespa.Client.Tests.Commands;

/// <summary><c>call</c>'s retries, re-routes and timeouts, counted at the scripted worker and the emulator.</summary>
public sealed class CallRetryTests : IAsyncLifetime
{
    private AutoscalerEmulator _emulator = null!;
    private ScriptedWorker _worker = null!;

    public async Task InitializeAsync()
    {
        _worker = await ScriptedWorker.StartAsync();
        _emulator = await EmulatorTestKit.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _emulator.DisposeAsync();
        await _worker.DisposeAsync();
    }

    [Fact]
    public async Task Worker429ThenSuccess_ReRoutesWithSameRequestIdx()
    {
        _emulator.RegisterWorker(_worker.BaseUrl);
        _worker.Enqueue(WorkerResponses.Status(429));

        var run = await Cli.RunAsync(Cli.Against(_emulator, "call", "POST", "/v1/x", "--data", "{}"));

        Assert.Equal(ExitCodes.Success, run.Exit);
        Assert.Equal(2, _worker.Calls);
        Assert.Equal(2, _emulator.GetAcceptedCount(EmulatorOperation.Route));
        var auth = _worker.EnvelopeAuthData();
        Assert.Equal(2, auth.Count);
        Assert.Equal(auth[0].GetProperty("request_idx").GetInt64(), auth[1].GetProperty("request_idx").GetInt64());
        Assert.NotEqual(auth[0].GetProperty("reqnum").GetInt64(), auth[1].GetProperty("reqnum").GetInt64());
    }

    [Fact]
    public async Task RetryAfter_IsHonoured()
    {
        _emulator.RegisterWorker(_worker.BaseUrl);
        // Asks for 100 s; the tests' cap (RetryAfterMax) cuts it to 0.3 s, far above the 2-10 ms back-off.
        _worker.Enqueue(WorkerResponses.Status(503, retryAfter: "100"));
        var watch = Stopwatch.StartNew();

        var run = await Cli.RunAsync(Cli.Against(_emulator, "call", "POST", "/v1/x", "--data", "{}"));

        Assert.Equal(ExitCodes.Success, run.Exit);
        Assert.Equal(2, _worker.Calls);
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(280), $"retried after {watch.Elapsed.TotalMilliseconds} ms");
    }

    [Fact]
    public async Task Worker503Storm_RetriesSpent_NoCapacityExit4_ShowsLastAnswer()
    {
        _emulator.RegisterWorker(_worker.BaseUrl);
        _worker.Default = WorkerResponses.Status(503);

        var run = await Cli.RunAsync(Cli.Against(_emulator, "call", "POST", "/v1/x", "--data", "{}", "--max-retries", "2"));

        Assert.Equal(ExitCodes.Unavailable, run.Exit);
        Assert.Equal(3, _worker.Calls);
        Assert.Contains("scripted 503", run.Output, StringComparison.Ordinal);
        Assert.Contains("answered 503", run.Error, StringComparison.Ordinal);
        Assert.Contains("3 failed attempts", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Worker500Storm_HttpErrorExit6()
    {
        _emulator.RegisterWorker(_worker.BaseUrl);
        _worker.Default = WorkerResponses.Status(500);

        var run = await Cli.RunAsync(Cli.Against(_emulator, "call", "POST", "/v1/x", "--data", "{}", "--max-retries", "1"));

        Assert.Equal(ExitCodes.HttpError, run.Exit);
        Assert.Equal(2, _worker.Calls);
    }

    [Theory]
    [InlineData(400)]
    [InlineData(404)]
    [InlineData(422)]
    public async Task Worker4xx_NotRetried_Exit6(int status)
    {
        _emulator.RegisterWorker(_worker.BaseUrl);
        _worker.Default = WorkerResponses.Status(status);

        var run = await Cli.RunAsync(Cli.Against(_emulator, "call", "POST", "/v1/x", "--data", "{}"));

        Assert.Equal(ExitCodes.HttpError, run.Exit);
        Assert.Equal(1, _worker.Calls);
        Assert.Contains($"scripted {status}", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConnectionRefused_ReRoutesToAnotherWorker()
    {
        _emulator.RegisterWorker(DeadPort.Url());
        _emulator.RegisterWorker(_worker.BaseUrl);

        var run = await Cli.RunAsync(Cli.Against(_emulator, "call", "POST", "/v1/x", "--data", "{}", "--json"));

        Assert.Equal(ExitCodes.Success, run.Exit);
        Assert.Equal(1, _worker.Calls);
        Assert.Contains("\"worker_calls\":2", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConnectionRefusedEverywhere_TransportExit5()
    {
        _emulator.RegisterWorker(DeadPort.Url());

        var run = await Cli.RunAsync(Cli.Against(_emulator, "call", "POST", "/v1/x", "--data", "{}", "--max-retries", "2"));

        Assert.Equal(ExitCodes.Transport, run.Exit);
        Assert.Contains("refused", run.Error, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(3, _emulator.GetAcceptedCount(EmulatorOperation.Route));
    }

    [Fact]
    public async Task Waiting_PolledUntilAWorkerIsReady()
    {
        var call = Cli.RunAsync(Cli.Against(_emulator, "call", "POST", "/v1/x", "--data", "{}"));
        await TaskTimeoutExtensions.WaitUntilAsync(() => _emulator.GetAcceptedCount(EmulatorOperation.Route) >= 3, "WAITING polls");
        _emulator.RegisterWorker(_worker.BaseUrl);

        var run = await call;

        Assert.Equal(ExitCodes.Success, run.Exit);
        Assert.Equal(1, _worker.Calls);
        // Not a terminal: no spinner drawn.
        Assert.DoesNotContain("\u001b[K", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Waiting_UntilTheTotalTimeout_Exit4()
    {
        var run = await Cli.RunAsync(Cli.Against(_emulator, "call", "POST", "/v1/x", "--data", "{}", "--timeout", "0.3"));

        Assert.Equal(ExitCodes.Unavailable, run.Exit);
        Assert.Contains("no worker became ready", run.Error, StringComparison.Ordinal);
        Assert.True(_emulator.GetAcceptedCount(EmulatorOperation.Route) >= 3);
    }

    [Fact]
    public async Task StreamBrokenAfterFirstBytes_NotRetried_Exit5()
    {
        _emulator.RegisterWorker(_worker.BaseUrl);
        _worker.Enqueue(WorkerResponses.SseThenAbort("""{"choices":[{"delta":{"content":"partial"}}]}"""));

        var run = await Cli.RunAsync(Cli.Against(_emulator, "call", "POST", "/v1/chat/completions", "--data", "{}", "--stream"));

        Assert.Equal(ExitCodes.Transport, run.Exit);
        Assert.Equal(1, _worker.Calls);
        Assert.StartsWith("partial", run.Output, StringComparison.Ordinal);
        Assert.Contains("not retried", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnswerBrokenBeforeAnyByte_Retried()
    {
        _emulator.RegisterWorker(_worker.BaseUrl);
        _worker.Enqueue(WorkerResponses.HeadersThenAbort);

        var run = await Cli.RunAsync(Cli.Against(_emulator, "call", "POST", "/v1/x", "--data", "{}"));

        Assert.Equal(ExitCodes.Success, run.Exit);
        Assert.Equal(2, _worker.Calls);
    }

    [Fact]
    public async Task Route5xx_Retried()
    {
        _emulator.RegisterWorker(_worker.BaseUrl);
        _emulator.Faults.FailNext(EmulatorOperation.Route, 2, 503);

        var run = await Cli.RunAsync(Cli.Against(_emulator, "call", "POST", "/v1/x", "--data", "{}"));

        Assert.Equal(ExitCodes.Success, run.Exit);
        Assert.Equal(2, _emulator.Faults.GetFailedAttempts(EmulatorOperation.Route));
        Assert.Equal(1, _worker.Calls);
    }

    [Fact]
    public async Task RouteRefusesKey_AuthExit3_NotRetried()
    {
        _emulator.RegisterWorker(_worker.BaseUrl);

        var run = await Cli.RunAsync("call", "POST", "/v1/x", "--data", "{}", "--autoscaler-url", _emulator.BaseUrl.OriginalString, "--endpoint", "local", "--endpoint-key", "wrong");

        Assert.Equal(ExitCodes.Auth, run.Exit);
        Assert.Contains("401", run.Error, StringComparison.Ordinal);
        Assert.Equal(1, _emulator.GetRejectedCount(EmulatorOperation.Route));
        Assert.Equal(0, _worker.Calls);
    }

    [Fact]
    public async Task AutoscalerUnreachable_TransportExit5()
    {
        var run = await Cli.RunAsync("call", "GET", "/x", "--autoscaler-url", DeadPort.Url().OriginalString, "--endpoint", "local", "--endpoint-key", "k", "--max-retries", "1");

        Assert.Equal(ExitCodes.Transport, run.Exit);
        Assert.Contains("autoscaler cannot be reached", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AttemptTimeout_HangingWorker_RetriedThenExit4()
    {
        _emulator.RegisterWorker(_worker.BaseUrl);
        _worker.Default = WorkerResponses.Hang;

        var run = await Cli.RunAsync(Cli.Against(_emulator, "call", "POST", "/v1/x", "--data", "{}", "--attempt-timeout", "0.2", "--max-retries", "1"));

        Assert.Equal(ExitCodes.Unavailable, run.Exit);
        Assert.Equal(2, _worker.Calls);
    }

    [Fact]
    public async Task TotalTimeout_HangingWorker_Exit4()
    {
        _emulator.RegisterWorker(_worker.BaseUrl);
        _worker.Default = WorkerResponses.Hang;
        var watch = Stopwatch.StartNew();

        var run = await Cli.RunAsync(Cli.Against(_emulator, "call", "POST", "/v1/x", "--data", "{}", "--timeout", "0.3"));

        Assert.Equal(ExitCodes.Unavailable, run.Exit);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5));
        Assert.Contains("--timeout 0.3s", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancelled_WhileWaiting_Exit130()
    {
        using var cancel = new CancellationTokenSource();
        var call = Cli.RunAsync(Cli.Services(), null, false, cancel.Token, Cli.Against(_emulator, "call", "POST", "/v1/x", "--data", "{}"));
        await TaskTimeoutExtensions.WaitUntilAsync(() => _emulator.GetAcceptedCount(EmulatorOperation.Route) >= 2, "WAITING polls");

        await cancel.CancelAsync();
        var run = await call;

        Assert.Equal(ExitCodes.Cancelled, run.Exit);
        Assert.Contains("cancelled", run.Error, StringComparison.Ordinal);
    }
}
