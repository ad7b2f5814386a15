using Microsoft.Extensions.Time.Testing;
using Vespa.Benchmarks.Tests.Support;
using Vespa.Testing;

namespace Vespa.Benchmarks.Tests;

public sealed class TgiBenchmarkTests
{
    [Fact]
    public async Task Tgi_SendsGenerateAndCountsGeneratedTokens()
    {
        var time = new FakeTimeProvider();
        await using var backend = await TestBackend.StartAsync((context, request) =>
        {
            if (request.Path == "/info")
            {
                return TestBackend.WriteJsonAsync(context, """{"model_id":"bigscience/bloom-560m","max_total_tokens":2048}""");
            }

            time.Advance(TimeSpan.FromMilliseconds(200));
            return TestBackend.WriteJsonAsync(context, Responses.Tgi(40));
        });
        using var client = backend.CreateClient();
        var options = new BenchmarkOptions { MaxTokens = 64, Concurrency = 5, Runs = 2 };
        var context = TestContexts.Create(client, options, time: time);
        var benchmark = BenchmarkFactory.Create("tgi");

        var identity = await benchmark.IdentifyAsync(context, CancellationToken.None).DefaultTimeout();
        var result = await benchmark.RunAsync(context, CancellationToken.None).DefaultTimeout();

        Assert.Equal("tgi model=bigscience/bloom-560m max_new_tokens=64 concurrency=5", identity);
        Assert.Equal(200, result.MaxThroughput, 9); // 5 × 40 tokens in 5 × 200 ms
        Assert.Equal("tokens/s", result.Unit);
        var requests = backend.RequestsTo("/generate").ToList();
        Assert.Equal(1 + 2 * 5, requests.Count);
        var body = TestBackend.Json(requests[0]);
        Assert.Equal(BenchmarkOptions.DefaultPrompt, body.GetProperty("inputs").GetString());
        Assert.Equal(64, body.GetProperty("parameters").GetProperty("max_new_tokens").GetInt32());
        Assert.True(body.GetProperty("parameters").GetProperty("details").GetBoolean());
    }

    [Fact]
    public async Task Tgi_WithoutDetails_CountsMaxNewTokensAndWarns()
    {
        var time = new FakeTimeProvider();
        await using var backend = await TestBackend.StartAsync((context, _) =>
        {
            time.Advance(TimeSpan.FromSeconds(1));
            return TestBackend.WriteJsonAsync(context, """[{"generated_text":"hello"}]""");
        });
        using var client = backend.CreateClient();
        var logger = new ListLogger();
        var options = new BenchmarkOptions { MaxTokens = 32, Concurrency = 2, Runs = 1, Warmup = false };

        var result = await BenchmarkFactory.Create("tgi").RunAsync(TestContexts.Create(client, options, logger, time), CancellationToken.None).DefaultTimeout();

        Assert.Equal(32, result.MaxThroughput, 9);
        Assert.Contains("max_new_tokens (32)", Assert.Single(logger.Named("BenchmarkWorkloadEstimated")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tgi_NoInfoEndpoint_IdentitySaysModelUnknown()
    {
        await using var backend = await TestBackend.StartAsync((context, _) => TestBackend.WriteJsonAsync(context, "{}", 404));
        using var client = backend.CreateClient();

        var identity = await BenchmarkFactory.Create("tgi").IdentifyAsync(TestContexts.Create(client, new BenchmarkOptions()), CancellationToken.None).DefaultTimeout();

        Assert.Equal("tgi model=(unknown: GET /info failed) max_new_tokens=256 concurrency=10", identity);
    }

    [Fact]
    public async Task Tgi_ErrorObjectWith200_IsAFailure()
    {
        await using var backend = await TestBackend.StartAsync((context, _) => TestBackend.WriteJsonAsync(context, """{"error":"Input validation error","error_type":"validation"}"""));
        using var client = backend.CreateClient();
        var options = new BenchmarkOptions { Runs = 1, Concurrency = 1 };

        var error = await Assert.ThrowsAsync<BenchmarkFailedException>(
            () => BenchmarkFactory.Create("tgi").RunAsync(TestContexts.Create(client, options), CancellationToken.None).DefaultTimeout());

        Assert.Contains("warm-up request failed", error.Message, StringComparison.Ordinal);
        Assert.Contains("generated_text", error.Message, StringComparison.Ordinal);
    }
}
