using System.ClientModel;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OpenAI;
using OpenAI.Chat;
using Vespa.Testing;
using Vespa.Worker.Hosting;

namespace Vespa.Worker.Tests.Integration;

/// <summary>
/// The worker on its embedded default: the generated demo model in the in-process llama.cpp
/// engine, behind the real proxy, called with the official OpenAI .NET SDK.
/// </summary>
public sealed class EmbeddedEngineTests : IAsyncLifetime
{
    private readonly string _cache = Path.Combine(Path.GetTempPath(), "vespa-models-" + Guid.NewGuid().ToString("N"));
    private TestWorker _worker = null!;

    public async Task InitializeAsync()
    {
        _worker = await TestWorker.StartAsync(
            backend: null,
            reportAddress: null,
            ("VESPA_MODEL_CACHE", _cache),
            ("VESPA_BENCHMARK", "engine"),
            ("VESPA_BENCHMARK_RUNS", "1"),
            ("VESPA_BENCHMARK_CONCURRENCY", "2"),
            ("VESPA_BENCHMARK_MAX_TOKENS", "8"),
            ("VESPA_CONTEXT_SIZE", "1024"),
            ("VESPA_THREADS", "1"));
    }

    public async Task DisposeAsync()
    {
        await _worker.DisposeAsync();
        Directory.Delete(_cache, recursive: true);
    }

    private ChatClient Chat()
    {
        var client = new OpenAIClient(new ApiKeyCredential("not-a-real-key"), new OpenAIClientOptions { Endpoint = new Uri(_worker.BaseUrl, "/v1") });
        return client.GetChatClient("demo");
    }

    [Fact]
    public void Start_EngineBenchmarkMeasuredRealTokens()
    {
        Assert.True(_worker.State.MaxThroughput > 0);
    }

    [Fact]
    public async Task OpenAiSdk_NonStreaming_GetsAnAnswerWithUsage()
    {
        var completion = (await Chat().CompleteChatAsync([new UserChatMessage("hello there")], new ChatCompletionOptions { MaxOutputTokenCount = 8, Temperature = 0 }).DefaultTimeout()).Value;

        Assert.Equal(ChatMessageRole.Assistant, completion.Role);
        Assert.True(completion.Usage.OutputTokenCount is > 0 and <= 8);
        Assert.True(completion.Usage.InputTokenCount > 0);
        Assert.Contains(completion.FinishReason, new[] { ChatFinishReason.Stop, ChatFinishReason.Length });
    }

    [Fact]
    public async Task OpenAiSdk_Streaming_TokensArriveAsUpdates()
    {
        var updates = 0;
        var text = new StringBuilder();
        ChatFinishReason? finish = null;
        var stream = Chat().CompleteChatStreamingAsync([new UserChatMessage("tell me a story")], new ChatCompletionOptions { MaxOutputTokenCount = 12, Temperature = 0 });
        using var timeout = new CancellationTokenSource(TaskTimeoutExtensions.Timeout);
        await foreach (var update in stream.WithCancellation(timeout.Token))
        {
            updates++;
            foreach (var part in update.ContentUpdate)
            {
                text.Append(part.Text);
            }

            finish ??= update.FinishReason;
        }

        Assert.True(updates >= 2, $"{updates} updates");
        Assert.NotNull(finish);
    }

    [Fact]
    public async Task Metrics_CountEngineTokens()
    {
        using var content = new StringContent("""{"prompt": "count me", "max_tokens": 5, "ignore_eos": true}""", Encoding.UTF8, "application/json");
        using (var response = await _worker.Client.PostAsync("/v1/completions", content).DefaultTimeout())
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var metrics = await _worker.Client.GetStringAsync("/metrics").DefaultTimeout();
        var line = metrics.Split('\n').Single(l => l.StartsWith("vespa_worker_engine_generated_tokens_total ", StringComparison.Ordinal));
        Assert.True(double.Parse(line.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture) >= 5, line);
    }

    [Fact]
    public async Task Models_ListsTheDemoModel()
    {
        using var response = await _worker.Client.GetAsync("/v1/models").DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync().DefaultTimeout());
        Assert.Equal("list", body.RootElement.GetProperty("object").GetString());
        Assert.False(string.IsNullOrEmpty(body.RootElement.GetProperty("data")[0].GetProperty("id").GetString()));
    }

    [Theory]
    [InlineData("""{"messages": [{"role": "user", "content": "hello vespa"}], "max_tokens": 16, "ignore_eos": true}""")]
    [InlineData("""{"messages": [{"role": "user", "content": "hello vespa"}], "max_tokens": 16, "ignore_eos": true, "temperature": 0}""")]
    [InlineData("""{"messages": [{"role": "user", "content": "Grüße, café 😀"}], "max_tokens": 16, "ignore_eos": true, "temperature": 1.5, "top_k": 0, "top_p": 1, "min_p": 0, "seed": 7}""")]
    public async Task ReadmeCurl_TheDemoModelAnswersInWords(string request)
    {
        // The README's first curl: the answer is English words from the demo vocabulary, never U+FFFD
        // (the revision-1 demo model emitted lone UTF-8 bytes from its byte tokens).
        using var content = new StringContent(request, Encoding.UTF8, "application/json");

        using var response = await _worker.Client.PostAsync("/v1/chat/completions", content).DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync().DefaultTimeout());
        var text = body.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString() ?? "";
        Assert.DoesNotContain('\uFFFD', text);
        var words = text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(w => w.Trim('.', ',', '!', '?')).Where(w => w.Length > 0).ToList();
        Assert.True(words.Count >= 4, $"'{text}'");
        Assert.All(words, w => Assert.Matches("^[A-Za-z]+$", w));
    }

    [Fact]
    public async Task Completions_StreamEndsWithDone()
    {
        using var content = new StringContent("""{"prompt": "once upon a time", "max_tokens": 6, "temperature": 0, "stream": true, "ignore_eos": true}""", Encoding.UTF8, "application/json");

        using var response = await _worker.Client.PostAsync("/v1/completions", content).DefaultTimeout();

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsStringAsync().DefaultTimeout();
        Assert.EndsWith("data: [DONE]\n\n", body, StringComparison.Ordinal);
        Assert.Contains("\"finish_reason\":\"length\"", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Streaming_EachTokenReachesTheClientWhileTheEngineIsStillGenerating()
    {
        // The third decode step waits until the client has read what the first two produced: it can only read it if
        // the engine and the relay send every token as it is sampled, not when the generation (or a buffer) completes.
        // (Greedy: the demo model's first tokens are always the same, and they make text.)
        var scheduler = _worker.Services.GetRequiredService<EmbeddedBackend>().Server!.Engine!.Scheduler;
        using var held = new ManualResetEventSlim();
        var steps = 0;
        scheduler.BeforeStep = () =>
        {
            if (Interlocked.Increment(ref steps) == 3)
            {
                held.Wait(TaskTimeoutExtensions.Timeout);
            }
        };

        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent("""{"messages": [{"role": "user", "content": "go on"}], "max_tokens": 6, "temperature": 0, "stream": true, "ignore_eos": true}""", Encoding.UTF8, "application/json"),
        };
        using var response = await _worker.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).DefaultTimeout();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync().DefaultTimeout());
        var tokens = 0;
        while (tokens < 1)
        {
            var line = await reader.ReadLineAsync().DefaultTimeout();
            Assert.NotNull(line);
            if (line.StartsWith("data: {", StringComparison.Ordinal) && line.Contains("\"content\":\"", StringComparison.Ordinal) && !line.Contains("\"content\":\"\"", StringComparison.Ordinal))
            {
                tokens++;
            }
        }

        Assert.Equal(3, Volatile.Read(ref steps)); // the engine is held before its third step
        held.Set();
        var rest = await reader.ReadToEndAsync().DefaultTimeout();
        Assert.EndsWith("data: [DONE]\n\n", rest, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/v1/chat/completions", """{"messages": []}""", "messages")]
    [InlineData("/v1/chat/completions", """{"messages": [{"role": "wizard", "content": "x"}]}""", "messages[0].role")]
    [InlineData("/v1/chat/completions", """{"messages": [{"role": "user", "content": "x"}], "temperature": 7}""", "temperature")]
    [InlineData("/v1/chat/completions", """{"messages": [{"role": "user", "content": "x"}], "n": 2}""", "n")]
    [InlineData("/v1/completions", """{"max_tokens": 3}""", "prompt")]
    [InlineData("/v1/completions", """{"prompt": "x", "stop": [1]}""", "stop")]
    [InlineData("/v1/completions", "not json", null)]
    public async Task BadRequests_OpenAiErrorShapeNamingTheParameter(string path, string body, string? param)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");

        using var response = await _worker.Client.PostAsync(path, content).DefaultTimeout();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync().DefaultTimeout());
        var inner = error.RootElement.GetProperty("error");
        Assert.Equal("invalid_request_error", inner.GetProperty("type").GetString());
        Assert.False(string.IsNullOrEmpty(inner.GetProperty("message").GetString()));
        if (param is not null)
        {
            Assert.Equal(param, inner.GetProperty("param").GetString());
        }
    }

    [Fact]
    public async Task PromptLongerThanContext_400ContextLengthExceeded()
    {
        var prompt = string.Join(' ', Enumerable.Repeat("the quick brown fox jumps over the lazy dog", 200));
        using var content = new StringContent(JsonSerializer.Serialize(new Dictionary<string, string> { ["prompt"] = prompt }), Encoding.UTF8, "application/json");

        using var response = await _worker.Client.PostAsync("/v1/completions", content).DefaultTimeout();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("context_length_exceeded", await response.Content.ReadAsStringAsync().DefaultTimeout(), StringComparison.Ordinal);
    }
}
