using System.Text;
using Microsoft.Extensions.Time.Testing;
using Vespa.Benchmarks.Tests.Support;
using Vespa.Testing;

namespace Vespa.Benchmarks.Tests;

public sealed class ComfyUiBenchmarkTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("vespa-comfy-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task ComfyUi_BuiltIn_SendsText2ImageOneAtATimeAt100UnitsEach()
    {
        var time = new FakeTimeProvider();
        await using var backend = await TestBackend.StartAsync((context, _) =>
        {
            time.Advance(TimeSpan.FromSeconds(4));
            return TestBackend.WriteJsonAsync(context, Responses.Comfy);
        });
        using var client = backend.CreateClient();
        var options = new BenchmarkOptions { ImageWidth = 768, ImageHeight = 640, Steps = 8 };
        var context = TestContexts.Create(client, options, time: time);
        var benchmark = BenchmarkFactory.Create("comfyui");

        var identity = await benchmark.IdentifyAsync(context, CancellationToken.None).DefaultTimeout();
        var result = await benchmark.RunAsync(context, CancellationToken.None).DefaultTimeout();

        Assert.Equal("comfyui text2image width=768 height=640 steps=8 concurrency=1", identity);
        Assert.Equal(25, result.MaxThroughput, 9); // 100 units per image, one image per 4 s
        Assert.Equal("workload/s", result.Unit);
        Assert.Equal(8, result.RunThroughputs.Count);
        Assert.Equal(1, backend.MaxInFlight);
        var requests = backend.RequestsTo("/generate/sync").ToList();
        Assert.Equal(1 + 8, requests.Count);
        var input = TestBackend.Json(requests[0]).GetProperty("input");
        Assert.StartsWith("vespa-benchmark-", input.GetProperty("request_id").GetString(), StringComparison.Ordinal);
        Assert.Equal("Text2Image", input.GetProperty("modifier").GetString());
        var modifications = input.GetProperty("modifications");
        Assert.Equal(BenchmarkOptions.DefaultImagePrompt, modifications.GetProperty("prompt").GetString());
        Assert.Equal(768, modifications.GetProperty("width").GetInt32());
        Assert.Equal(640, modifications.GetProperty("height").GetInt32());
        Assert.Equal(8, modifications.GetProperty("steps").GetInt32());
        Assert.True(modifications.GetProperty("seed").GetInt64() >= 0);

        // Fresh request ids (and seeds) per request, so the wrapper and ComfyUI's cache see new jobs.
        Assert.Equal(9, requests.Select(r => TestBackend.Json(r).GetProperty("input").GetProperty("request_id").GetString()).Distinct().Count());
    }

    [Fact]
    public async Task ComfyUi_ExplicitConcurrency_IsHonoured()
    {
        await using var backend = await TestBackend.StartAsync((context, _) => TestBackend.WriteJsonAsync(context, Responses.Comfy));
        using var client = backend.CreateClient();
        var options = new BenchmarkOptions { Concurrency = 3, Runs = 1, Warmup = false };

        var identity = await BenchmarkFactory.Create("comfyui").IdentifyAsync(TestContexts.Create(client, options), CancellationToken.None).DefaultTimeout();
        await BenchmarkFactory.Create("comfyui").RunAsync(TestContexts.Create(client, options), CancellationToken.None).DefaultTimeout();

        Assert.EndsWith("concurrency=3", identity, StringComparison.Ordinal);
        Assert.Equal(3, backend.Requests.Count);
    }

    [Fact]
    public async Task ComfyUi_WorkflowFile_IsWrappedAsWorkflowJson()
    {
        var workflow = """{"3":{"class_type":"KSampler","inputs":{"seed":"__RANDOM_INT__","steps":20}}}""";
        var path = Path.Combine(_directory, "benchmark.json");
        await File.WriteAllTextAsync(path, workflow, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
        await using var backend = await TestBackend.StartAsync((context, _) => TestBackend.WriteJsonAsync(context, Responses.Comfy));
        using var client = backend.CreateClient();
        var options = new BenchmarkOptions { ComfyWorkflowFile = path, Runs = 1 };
        var benchmark = BenchmarkFactory.Create("comfyui");

        var identity = await benchmark.IdentifyAsync(TestContexts.Create(client, options), CancellationToken.None).DefaultTimeout();
        await benchmark.RunAsync(TestContexts.Create(client, options), CancellationToken.None).DefaultTimeout();

        Assert.Matches("^comfyui workflow=benchmark.json sha256=[0-9a-f]{16} concurrency=1$", identity);
        Assert.Equal(2, backend.Requests.Count);
        var input = TestBackend.Json(backend.Requests.First()).GetProperty("input");
        Assert.StartsWith("vespa-benchmark-", input.GetProperty("request_id").GetString(), StringComparison.Ordinal);
        Assert.Equal("KSampler", input.GetProperty("workflow_json").GetProperty("3").GetProperty("class_type").GetString());
        Assert.False(input.TryGetProperty("modifier", out _));
    }

    [Fact]
    public async Task ComfyUi_FileWithInputObject_IsSentAsTheWholePayload()
    {
        var payload = """{"input":{"request_id":"mine","modifier":"Text2Image","modifications":{"prompt":"a cat","width":64,"height":64,"steps":1}}}""";
        var path = Path.Combine(_directory, "payload.json");
        await File.WriteAllTextAsync(path, payload);
        await using var backend = await TestBackend.StartAsync((context, _) => TestBackend.WriteJsonAsync(context, Responses.Comfy));
        using var client = backend.CreateClient();
        var options = new BenchmarkOptions { ComfyWorkflowFile = path, Runs = 1, Warmup = false };

        await BenchmarkFactory.Create("comfyui").RunAsync(TestContexts.Create(client, options), CancellationToken.None).DefaultTimeout();

        Assert.Equal(payload, TestBackend.Text(Assert.Single(backend.Requests)));
    }

    [Fact]
    public async Task ComfyUi_MissingWorkflowFile_FailsInsteadOfFallingBack()
    {
        using var client = new HttpClient { BaseAddress = new Uri("http://127.0.0.1:9/") };
        var options = new BenchmarkOptions { ComfyWorkflowFile = Path.Combine(_directory, "absent.json") };

        var error = await Assert.ThrowsAsync<BenchmarkFailedException>(
            () => BenchmarkFactory.Create("comfyui").RunAsync(TestContexts.Create(client, options), CancellationToken.None).DefaultTimeout());

        Assert.Contains("cannot read the ComfyUI workflow file", error.Message, StringComparison.Ordinal);
        Assert.Contains("absent.json", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ComfyUi_InvalidWorkflowFile_Fails()
    {
        var path = Path.Combine(_directory, "broken.json");
        await File.WriteAllTextAsync(path, "{ not json");
        using var client = new HttpClient { BaseAddress = new Uri("http://127.0.0.1:9/") };
        var options = new BenchmarkOptions { ComfyWorkflowFile = path };

        var error = await Assert.ThrowsAsync<BenchmarkFailedException>(
            () => BenchmarkFactory.Create("comfyui").IdentifyAsync(TestContexts.Create(client, options), CancellationToken.None).DefaultTimeout());

        Assert.Contains("is not valid JSON", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ComfyUi_StatusFailedWith200_IsNotASuccess()
    {
        await using var backend = await TestBackend.StartAsync((context, _) => TestBackend.WriteJsonAsync(context, """{"id":"x","status":"failed","message":"Value not in list: ckpt_name"}"""));
        using var client = backend.CreateClient();
        var options = new BenchmarkOptions { Runs = 1, Warmup = false };

        var error = await Assert.ThrowsAsync<BenchmarkFailedException>(
            () => BenchmarkFactory.Create("comfyui").RunAsync(TestContexts.Create(client, options), CancellationToken.None).DefaultTimeout());

        Assert.Contains("status \"failed\"", error.Message, StringComparison.Ordinal);
        Assert.Contains("Value not in list", error.Message, StringComparison.Ordinal);
    }
}
