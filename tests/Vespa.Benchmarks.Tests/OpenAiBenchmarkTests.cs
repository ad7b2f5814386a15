using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Vespa.Benchmarks.Tests.Support;
using Vespa.Testing;

namespace Vespa.Benchmarks.Tests;

public sealed class OpenAiBenchmarkTests
{
    [Fact]
    public async Task Chat_ExplicitModel_SendsChatRequestsAndCountsCompletionTokens()
    {
        // Each request moves the fake clock by 100 ms, so a run of 10 takes exactly 1 s: 10 × 50 tokens / 1 s.
        var time = new FakeTimeProvider();
        await using var backend = await TestBackend.StartAsync((context, _) =>
        {
            time.Advance(TimeSpan.FromMilliseconds(100));
            return TestBackend.WriteJsonAsync(context, Responses.Chat(50));
        });
        using var client = backend.CreateClient();
        var logger = new ListLogger();
        var options = new BenchmarkOptions { Model = "my-model" };
        var benchmark = BenchmarkFactory.Create("openai-chat");

        var result = await benchmark.RunAsync(TestContexts.Create(client, options, logger, time), CancellationToken.None).DefaultTimeout();

        Assert.Equal(500, result.MaxThroughput, 9);
        Assert.Equal(Enumerable.Repeat(500.0, 8), result.RunThroughputs.Select(t => Math.Round(t, 9)));
        Assert.Equal("tokens/s", result.Unit);
        Assert.Empty(backend.RequestsTo("/v1/models"));
        var requests = backend.RequestsTo("/v1/chat/completions").ToList();
        Assert.Equal(1 + (8 * 10), requests.Count);
        Assert.All(requests, request =>
        {
            Assert.Equal("POST", request.Method);
            Assert.StartsWith("application/json", request.Headers["Content-Type"], StringComparison.Ordinal);
            var body = TestBackend.Json(request);
            Assert.Equal("my-model", body.GetProperty("model").GetString());
            var message = Assert.Single(body.GetProperty("messages").EnumerateArray());
            Assert.Equal("user", message.GetProperty("role").GetString());
            Assert.Equal(BenchmarkOptions.DefaultPrompt, message.GetProperty("content").GetString());
            Assert.Equal(256, body.GetProperty("max_tokens").GetInt32());
            Assert.False(body.GetProperty("stream").GetBoolean());
        });

        var runs = logger.Named("BenchmarkRunCompleted").ToList();
        Assert.Equal(8, runs.Count);
        Assert.Contains("run 1/8: 500 tokens/s (10/10 succeeded", runs[0].Message, StringComparison.Ordinal);
        Assert.Single(logger.Named("BenchmarkWarmupSucceeded"));
        Assert.Single(logger.Named("BenchmarkCompleted"));
        Assert.DoesNotContain(logger.Entries, e => e.Level >= LogLevel.Warning);
    }

    [Fact]
    public async Task Engine_SendsCompletionsWithIgnoreEosAndCountsRealTokens()
    {
        var time = new FakeTimeProvider();
        await using var backend = await TestBackend.StartAsync((context, _) =>
        {
            time.Advance(TimeSpan.FromMilliseconds(100));
            return TestBackend.WriteJsonAsync(context, Responses.Completion(32));
        });
        using var client = backend.CreateClient();
        var options = new BenchmarkOptions { Model = "demo", MaxTokens = 32, Runs = 1 };
        var benchmark = BenchmarkFactory.Create("engine");

        var result = await benchmark.RunAsync(TestContexts.Create(client, options, new ListLogger(), time), CancellationToken.None).DefaultTimeout();

        Assert.Equal("engine", benchmark.Name);
        Assert.Equal(320, result.MaxThroughput, 9); // 10 × 32 tokens in 1 s
        Assert.All(backend.RequestsTo("/v1/completions"), request =>
        {
            var body = TestBackend.Json(request);
            Assert.True(body.GetProperty("ignore_eos").GetBoolean());
            Assert.Equal(32, body.GetProperty("max_tokens").GetInt32());
            Assert.Equal(BenchmarkOptions.DefaultPrompt, body.GetProperty("prompt").GetString());
        });
        Assert.StartsWith("engine model=demo", await benchmark.IdentifyAsync(TestContexts.Create(client, options), CancellationToken.None).DefaultTimeout(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Chat_SendsConcurrencyRequestsAtOnce()
    {
        // Nobody is answered until all 10 of the run are in flight: proof that they are sent together.
        var allArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var arrived = 0;
        await using var backend = await TestBackend.StartAsync(async (context, _) =>
        {
            if (Interlocked.Increment(ref arrived) == 10)
            {
                allArrived.TrySetResult();
            }

            await allArrived.Task.WaitAsync(TaskTimeoutExtensions.Timeout, context.RequestAborted);
            await TestBackend.WriteJsonAsync(context, Responses.Chat(5));
        });
        using var client = backend.CreateClient();
        var options = new BenchmarkOptions { Model = "m", Runs = 1, Warmup = false, Concurrency = 10 };

        var result = await BenchmarkFactory.Create("openai-chat").RunAsync(TestContexts.Create(client, options), CancellationToken.None).DefaultTimeout();

        Assert.Equal(10, backend.MaxInFlight);
        Assert.True(result.MaxThroughput > 0);
    }

    [Fact]
    public async Task Chat_RealClock_ThroughputIsPlausible()
    {
        await using var backend = await TestBackend.StartAsync(async (context, _) =>
        {
            await Task.Delay(50, context.RequestAborted);
            await TestBackend.WriteJsonAsync(context, Responses.Chat(50));
        });
        using var client = backend.CreateClient();
        var options = new BenchmarkOptions { Model = "m", Runs = 2, Concurrency = 4, Warmup = false };

        var result = await BenchmarkFactory.Create("openai-chat").RunAsync(TestContexts.Create(client, options), CancellationToken.None).DefaultTimeout();

        // 4 × 50 tokens per run, each run at least 50 ms: at most 4000 tokens/s; a loaded machine is slower, never faster.
        Assert.InRange(result.MaxThroughput, 1, 4000);
        Assert.Equal(result.RunThroughputs.Max(), result.MaxThroughput);
    }

    [Fact]
    public async Task Chat_NoModelOption_DiscoversFirstModelFromV1Models()
    {
        await using var backend = await TestBackend.StartAsync((context, request) => request.Path == "/v1/models"
            ? TestBackend.WriteJsonAsync(context, Responses.Models)
            : TestBackend.WriteJsonAsync(context, Responses.Chat(10)));
        using var client = backend.CreateClient();
        var logger = new ListLogger();
        var context = TestContexts.Create(client, new BenchmarkOptions { Runs = 1, Concurrency = 2 }, logger);
        var benchmark = BenchmarkFactory.Create("openai-chat");

        var identity = await benchmark.IdentifyAsync(context, CancellationToken.None).DefaultTimeout();
        await benchmark.RunAsync(context, CancellationToken.None).DefaultTimeout();

        Assert.Equal("openai-chat model=first-model max_tokens=256 concurrency=2", identity);
        var discovery = Assert.Single(backend.RequestsTo("/v1/models"));
        Assert.Equal("GET", discovery.Method);
        Assert.All(backend.RequestsTo("/v1/chat/completions"), r => Assert.Equal("first-model", TestBackend.Json(r).GetProperty("model").GetString()));
        Assert.Contains("first-model", Assert.Single(logger.Named("BenchmarkModelDiscovered")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Chat_ModelDiscoveryFails_SendsNoModelAndSaysSoInIdentity()
    {
        await using var backend = await TestBackend.StartAsync((context, request) => request.Path == "/v1/models"
            ? TestBackend.WriteJsonAsync(context, """{"error":"not here"}""", 404)
            : TestBackend.WriteJsonAsync(context, Responses.Chat(10)));
        using var client = backend.CreateClient();
        var logger = new ListLogger();
        var context = TestContexts.Create(client, new BenchmarkOptions { Runs = 1, Concurrency = 1 }, logger);
        var benchmark = BenchmarkFactory.Create("openai-chat");

        var identity = await benchmark.IdentifyAsync(context, CancellationToken.None).DefaultTimeout();
        var result = await benchmark.RunAsync(context, CancellationToken.None).DefaultTimeout();

        Assert.StartsWith("openai-chat model=(none: GET /v1/models failed", identity, StringComparison.Ordinal);
        Assert.True(result.MaxThroughput > 0);
        Assert.All(backend.RequestsTo("/v1/chat/completions"), r => Assert.False(TestBackend.Json(r).TryGetProperty("model", out _)));
        var warning = Assert.Single(logger.Named("BenchmarkModelDiscoveryFailed"));
        Assert.Contains("404", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Chat_NoUsageInResponses_CountsMaxTokensAndWarnsOnce()
    {
        var time = new FakeTimeProvider();
        await using var backend = await TestBackend.StartAsync((context, _) =>
        {
            time.Advance(TimeSpan.FromMilliseconds(250));
            return TestBackend.WriteJsonAsync(context, Responses.ChatWithoutUsage);
        });
        using var client = backend.CreateClient();
        var logger = new ListLogger();
        var options = new BenchmarkOptions { Model = "m", MaxTokens = 100, Concurrency = 4, Runs = 2 };

        var result = await BenchmarkFactory.Create("openai-chat").RunAsync(TestContexts.Create(client, options, logger, time), CancellationToken.None).DefaultTimeout();

        Assert.Equal(400, result.MaxThroughput, 9);
        var warning = Assert.Single(logger.Named("BenchmarkWorkloadEstimated"));
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("max_tokens (100)", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Completions_SendsPromptAndCountsCompletionTokens()
    {
        var time = new FakeTimeProvider();
        await using var backend = await TestBackend.StartAsync((context, _) =>
        {
            time.Advance(TimeSpan.FromMilliseconds(500));
            return TestBackend.WriteJsonAsync(context, Responses.Completion(30));
        });
        using var client = backend.CreateClient();
        var options = new BenchmarkOptions { Model = "m", Prompt = "Count to a thousand.", MaxTokens = 64, Concurrency = 2, Runs = 2, Warmup = false };
        var benchmark = BenchmarkFactory.Create("openai-completions");

        var result = await benchmark.RunAsync(TestContexts.Create(client, options, time: time), CancellationToken.None).DefaultTimeout();
        var identity = await benchmark.IdentifyAsync(TestContexts.Create(client, options), CancellationToken.None).DefaultTimeout();

        Assert.Equal("openai-completions", benchmark.Name);
        Assert.Equal("openai-completions model=m max_tokens=64 concurrency=2", identity);
        Assert.Equal(60, result.MaxThroughput, 9);
        var requests = backend.RequestsTo("/v1/completions").ToList();
        Assert.Equal(4, requests.Count);
        var body = TestBackend.Json(requests[0]);
        Assert.Equal("m", body.GetProperty("model").GetString());
        Assert.Equal("Count to a thousand.", body.GetProperty("prompt").GetString());
        Assert.Equal(64, body.GetProperty("max_tokens").GetInt32());
        Assert.False(body.TryGetProperty("messages", out _));
    }

    [Fact]
    public async Task Chat_BackendWithBasePath_KeepsTheBasePath()
    {
        await using var backend = await TestBackend.StartAsync((context, request) => request.Path switch
        {
            "/api/v1/models" => TestBackend.WriteJsonAsync(context, Responses.Models),
            "/api/v1/chat/completions" => TestBackend.WriteJsonAsync(context, Responses.Chat(7)),
            _ => TestBackend.WriteJsonAsync(context, """{"error":"wrong path"}""", 404),
        });
        using var client = backend.CreateClient("/api");
        var options = new BenchmarkOptions { Runs = 1, Concurrency = 1 };

        var result = await BenchmarkFactory.Create("openai-chat").RunAsync(TestContexts.Create(client, options), CancellationToken.None).DefaultTimeout();

        Assert.True(result.MaxThroughput > 0);
        Assert.Equal(["/api/v1/models", "/api/v1/chat/completions", "/api/v1/chat/completions"], backend.Requests.Select(r => r.Path));
    }

    [Fact]
    public async Task Chat_ZeroCompletionTokensEverywhere_FailsInsteadOfReportingZero()
    {
        await using var backend = await TestBackend.StartAsync((context, _) => TestBackend.WriteJsonAsync(context, Responses.Chat(0)));
        using var client = backend.CreateClient();
        var options = new BenchmarkOptions { Model = "m", Runs = 2, Concurrency = 2 };

        var error = await Assert.ThrowsAsync<BenchmarkFailedException>(
            () => BenchmarkFactory.Create("openai-chat").RunAsync(TestContexts.Create(client, options), CancellationToken.None).DefaultTimeout());

        Assert.Equal("openai-chat", error.Benchmark);
        Assert.Contains("measured no work", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Chat_200WithoutChoices_IsNotASuccess()
    {
        await using var backend = await TestBackend.StartAsync((context, _) => TestBackend.WriteJsonAsync(context, """{"error":{"message":"model overloaded"}}"""));
        using var client = backend.CreateClient();
        var options = new BenchmarkOptions { Model = "m", Runs = 1, Concurrency = 3, Warmup = false };

        var error = await Assert.ThrowsAsync<BenchmarkFailedException>(
            () => BenchmarkFactory.Create("openai-chat").RunAsync(TestContexts.Create(client, options), CancellationToken.None).DefaultTimeout());

        Assert.Contains("HTTP 200 (unexpected body) ×3", error.Message, StringComparison.Ordinal);
        Assert.Contains("no \"choices\" array", error.Message, StringComparison.Ordinal);
        Assert.Contains("model overloaded", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Identify_IsStableAndDiscoversOnce()
    {
        await using var backend = await TestBackend.StartAsync((context, _) => TestBackend.WriteJsonAsync(context, Responses.Models));
        using var client = backend.CreateClient();
        var context = TestContexts.Create(client, new BenchmarkOptions());
        var benchmark = BenchmarkFactory.Create("openai-chat");

        var first = await benchmark.IdentifyAsync(context, CancellationToken.None).DefaultTimeout();
        var second = await benchmark.IdentifyAsync(context, CancellationToken.None).DefaultTimeout();

        Assert.Equal(first, second);
        Assert.Single(backend.Requests);
    }
}
