using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Vespa.Benchmarks.Tests.Support;
using Vespa.Testing;

namespace Vespa.Benchmarks.Tests;

/// <summary>The shared runner's failure handling, exercised through <c>openai-chat</c>.</summary>
public sealed class BenchmarkRunnerTests
{
    [Fact]
    public async Task Run_NoSuccessfulResponse_ThrowsWithStatusAndBodySnippet()
    {
        await using var backend = await TestBackend.StartAsync((context, _) => TestBackend.WriteJsonAsync(context, """{"error":"CUDA out of memory"}""", 500));
        using var client = backend.CreateClient();
        var options = new BenchmarkOptions { Model = "m", Warmup = false, Concurrency = 4 };

        var error = await Assert.ThrowsAsync<BenchmarkFailedException>(
            () => BenchmarkFactory.Create("openai-chat").RunAsync(TestContexts.Create(client, options), CancellationToken.None).DefaultTimeout());

        Assert.Equal("openai-chat", error.Benchmark);
        Assert.StartsWith("Benchmark 'openai-chat' failed: no successful response in run 1/8", error.Message, StringComparison.Ordinal);
        Assert.Contains("HTTP 500 ×4", error.Message, StringComparison.Ordinal);
        Assert.Contains("CUDA out of memory", error.Message, StringComparison.Ordinal);
        Assert.Equal(4, backend.Requests.Count);
    }

    [Fact]
    public async Task Run_WarmupFails_ThrowsAndSendsNothingElse()
    {
        await using var backend = await TestBackend.StartAsync((context, _) => TestBackend.WriteJsonAsync(context, """{"error":"loading"}""", 503));
        using var client = backend.CreateClient();
        var options = new BenchmarkOptions { Model = "m" };

        var error = await Assert.ThrowsAsync<BenchmarkFailedException>(
            () => BenchmarkFactory.Create("openai-chat").RunAsync(TestContexts.Create(client, options), CancellationToken.None).DefaultTimeout());

        Assert.Contains("warm-up request failed: HTTP 503", error.Message, StringComparison.Ordinal);
        Assert.Contains("loading", error.Message, StringComparison.Ordinal);
        Assert.Single(backend.Requests);
    }

    [Fact]
    public async Task Run_WarmupBackendUnreachable_ThrowsConnectionError()
    {
        using var client = new HttpClient(new RefusingHandler()) { BaseAddress = new Uri("http://127.0.0.1:9/") };
        var options = new BenchmarkOptions { Model = "m" };

        var error = await Assert.ThrowsAsync<BenchmarkFailedException>(
            () => BenchmarkFactory.Create("openai-chat").RunAsync(TestContexts.Create(client, options), CancellationToken.None).DefaultTimeout());

        Assert.Contains("warm-up request failed: connection error: Connection refused (127.0.0.1:9)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_DefaultOptions_AreTheSdksEightRunsOfTenAfterAWarmup()
    {
        // vast.ai's SDK benchmarks with BenchmarkConfig(runs=8, concurrency=10): max_perf is the best of 8 runs.
        var time = new FakeTimeProvider();
        await using var backend = await TestBackend.StartAsync((context, _) =>
        {
            time.Advance(TimeSpan.FromMilliseconds(100));
            return TestBackend.WriteJsonAsync(context, Responses.Chat(50));
        });
        using var client = backend.CreateClient();
        var logger = new ListLogger();

        var result = await BenchmarkFactory.Create("openai-chat").RunAsync(TestContexts.Create(client, new BenchmarkOptions { Model = "m" }, logger, time), CancellationToken.None).DefaultTimeout();

        Assert.Equal(1 + (8 * 10), backend.Requests.Count);
        Assert.Equal(8, result.RunThroughputs.Count);
        Assert.Equal(8, logger.Named("BenchmarkRunCompleted").Count());
        Assert.Contains("8 runs of 10 concurrent requests", logger.Named("BenchmarkStarting").Single().Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_PartialFailures_AreMeasuredFromTheSuccesses()
    {
        // Every other request fails; the fake clock moves 100 ms per request, so each run of 10 takes 1 s.
        var time = new FakeTimeProvider();
        var count = 0;
        await using var backend = await TestBackend.StartAsync((context, _) =>
        {
            time.Advance(TimeSpan.FromMilliseconds(100));
            return Interlocked.Increment(ref count) % 2 == 0
                ? TestBackend.WriteJsonAsync(context, """{"error":"busy"}""", 429)
                : TestBackend.WriteJsonAsync(context, Responses.Chat(50));
        });
        using var client = backend.CreateClient();
        var logger = new ListLogger();
        var options = new BenchmarkOptions { Model = "m", Warmup = false, Runs = 2, Concurrency = 10 };

        var result = await BenchmarkFactory.Create("openai-chat").RunAsync(TestContexts.Create(client, options, logger, time), CancellationToken.None).DefaultTimeout();

        Assert.Equal(250, result.MaxThroughput, 9);
        var failures = logger.Named("BenchmarkRunHadFailures").ToList();
        Assert.Equal(2, failures.Count);
        Assert.Contains("5/10 requests failed (HTTP 429 ×5)", failures[0].Message, StringComparison.Ordinal);
        Assert.Contains("busy", failures[0].Message, StringComparison.Ordinal);
        Assert.Contains("5/10 succeeded", logger.Named("BenchmarkRunCompleted").First().Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_BodyIsNotJson_IsAFailure()
    {
        await using var backend = await TestBackend.StartAsync((context, _) => context.Response.WriteAsync("<html>proxy error</html>", context.RequestAborted));
        using var client = backend.CreateClient();
        var options = new BenchmarkOptions { Model = "m", Warmup = false, Runs = 1, Concurrency = 2 };

        var error = await Assert.ThrowsAsync<BenchmarkFailedException>(
            () => BenchmarkFactory.Create("openai-chat").RunAsync(TestContexts.Create(client, options), CancellationToken.None).DefaultTimeout());

        Assert.Contains("the body is not JSON: <html>proxy error</html>", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_Cancelled_ThrowsOperationCanceledPromptly()
    {
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var backend = await TestBackend.StartAsync(async (context, _) =>
        {
            arrived.TrySetResult();
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        });
        using var client = backend.CreateClient();
        using var cancellation = new CancellationTokenSource();
        var options = new BenchmarkOptions { Model = "m", Warmup = false, Concurrency = 3 };

        var running = BenchmarkFactory.Create("openai-chat").RunAsync(TestContexts.Create(client, options), cancellation.Token);
        await arrived.Task.DefaultTimeout();
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running.DefaultTimeout());
    }

    [Fact]
    public async Task Run_CancelledDuringModelDiscovery_ThrowsOperationCanceled()
    {
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var backend = await TestBackend.StartAsync(async (context, _) =>
        {
            arrived.TrySetResult();
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        });
        using var client = backend.CreateClient();
        using var cancellation = new CancellationTokenSource();

        var identifying = BenchmarkFactory.Create("openai-chat").IdentifyAsync(TestContexts.Create(client, new BenchmarkOptions()), cancellation.Token);
        await arrived.Task.DefaultTimeout();
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => identifying.DefaultTimeout());
    }

    [Fact]
    public async Task Run_RequestTimeout_CountsAsFailureNamedTimeout()
    {
        var time = new FakeTimeProvider();
        var arrived = 0;
        await using var backend = await TestBackend.StartAsync(async (context, _) =>
        {
            Interlocked.Increment(ref arrived);
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        });
        using var client = backend.CreateClient();
        var options = new BenchmarkOptions { Model = "m", Warmup = false, Runs = 1, Concurrency = 2, RequestTimeout = TimeSpan.FromSeconds(30) };

        var running = BenchmarkFactory.Create("openai-chat").RunAsync(TestContexts.Create(client, options, time: time), CancellationToken.None);
        await TaskTimeoutExtensions.WaitUntilAsync(() => Volatile.Read(ref arrived) == 2, "both requests to arrive");
        time.Advance(TimeSpan.FromSeconds(31));

        var error = await Assert.ThrowsAsync<BenchmarkFailedException>(() => running.DefaultTimeout());
        Assert.Contains("timeout ×2", error.Message, StringComparison.Ordinal);
        Assert.Contains("no complete answer within 30 s", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_InvalidOptions_ThrowsArgumentExceptionNamingTheOption()
    {
        using var client = new HttpClient { BaseAddress = new Uri("http://127.0.0.1:9/") };
        var options = new BenchmarkOptions { Model = "m", Runs = 0 };

        var error = await Assert.ThrowsAsync<ArgumentException>(
            () => BenchmarkFactory.Create("openai-chat").RunAsync(TestContexts.Create(client, options), CancellationToken.None).DefaultTimeout());

        Assert.Contains("Runs", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_LogsStartWithSettings()
    {
        await using var backend = await TestBackend.StartAsync((context, _) => TestBackend.WriteJsonAsync(context, Responses.Chat(3)));
        using var client = backend.CreateClient();
        var logger = new ListLogger();
        var options = new BenchmarkOptions { Model = "m", Runs = 2, Concurrency = 3, Warmup = false };

        await BenchmarkFactory.Create("openai-chat").RunAsync(TestContexts.Create(client, options, logger), CancellationToken.None).DefaultTimeout();

        var start = Assert.Single(logger.Named("BenchmarkStarting"));
        Assert.Equal(LogLevel.Information, start.Level);
        Assert.Equal("Benchmark openai-chat: 2 runs of 3 concurrent requests, warm-up off", start.Message);
        Assert.Empty(logger.Named("BenchmarkWarmupSucceeded"));
        Assert.Equal(2, logger.Named("BenchmarkRunCompleted").Count());
    }

    private sealed class RefusingHandler : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            throw new HttpRequestException("Connection refused (127.0.0.1:9)");
    }
}
