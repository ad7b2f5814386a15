using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Vespa.Testing;
using Vespa.Worker.Hosting;
using Vespa.Worker.Options;

namespace Vespa.Perf.ProxyLoad;

/// <summary>
/// Proxy load benchmark: the same small JSON POST sent straight to a loopback backend and through
/// a secured vespa-worker in front of it (signature checked on every request), at several
/// concurrency levels, plus time to first byte of an SSE stream. Everything runs on loopback in
/// this one process and stops by itself.
/// Usage: dotnet run -c Release --project perf/ProxyLoad -- [seconds-per-run] [concurrency,list] [output.md]
/// </summary>
internal static class Program
{
    private const string Payload = """{"model":"m","messages":[{"role":"user","content":"hello"}],"max_tokens":16}""";
    private const string Answer = """{"id":"x","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"hi"}}]}""";

    public static async Task<int> Main(string[] args)
    {
        var seconds = args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : 5;
        var levels = (args.Length > 1 ? args[1] : "1,8,32,64").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        var output = args.Length > 2 ? args[2] : null;

        await using var backend = await LoopbackServer.StartAsync(app =>
        {
            app.MapPost("/v1/chat/completions", async context =>
            {
                await context.Request.Body.CopyToAsync(Stream.Null);
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync(Answer);
            });
            app.MapGet("/health", () => "ok");
            app.MapGet("/sse", async context =>
            {
                context.Response.ContentType = "text/event-stream";
                for (var i = 0; i < 3; i++)
                {
                    await context.Response.WriteAsync($"data: token {i}\n\n");
                    await context.Response.Body.FlushAsync();
                }
            });
        });
        await using var keys = await PublicKeyServer.StartAsync(TestAutoscalerKey.Shared.PublicKeyPem);
        var options = WorkerOptionsLoader.Load(new Dictionary<string, string>
        {
            ["VESPA_WORKER_PORT"] = "0",
            ["VESPA_BACKEND_URL"] = backend.BaseUrl.ToString(),
            ["REPORT_ADDR"] = keys.BaseUrl.ToString(),
            ["CONTAINER_ID"] = "1",
            // The public url the envelopes below are signed for: the worker accepts only its own.
            ["PUBLIC_IPADDR"] = "203.0.113.7",
            ["VAST_TCP_PORT_0"] = "41234",
            ["VESPA_HOST"] = "127.0.0.1",
            ["VESPA_LOG_LEVEL"] = "ERROR",
            // A throughput so high that admission never queues or rejects: this measures the proxy path.
            ["VESPA_BENCHMARK"] = "constant:1000000000",
            ["VESPA_BENCHMARK_CACHE_FILE"] = Path.Combine(Path.GetTempPath(), "vespa-perf-" + Environment.ProcessId + ".benchmark"),
        });
        await using var worker = await WorkerApplication.CreateAsync(options, b => b.Logging.ClearProviders());
        await worker.StartAsync();
        await TaskTimeoutExtensions.WaitUntilAsync(() => TryCall(worker.GetListenAddress(), keys).GetAwaiter().GetResult(), "the worker to accept signed requests", TimeSpan.FromSeconds(30));

        var auth = TestAutoscalerKey.Shared.Sign("https://203.0.113.7:41234");
        var envelope = Encoding.UTF8.GetBytes(TestAutoscalerKey.Envelope(auth, Payload));
        var direct = new Uri(backend.BaseUrl, "/v1/chat/completions");
        var proxied = new Uri(worker.GetListenAddress(), "/v1/chat/completions");
        var query = TestAutoscalerKey.QueryParameters(auth);

        var results = new List<LoadResult>();
        using var load = new LoadGenerator(levels.Max());
        foreach (var concurrency in levels)
        {
            results.Add(await load.RunAsync("direct", concurrency, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(seconds), () => Post(direct, Encoding.UTF8.GetBytes(Payload))));
            results.Add(await load.RunAsync("vespa-worker", concurrency, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(seconds), () => Post(proxied, envelope)));
            Console.Error.WriteLine($"concurrency {concurrency} done");
        }

        var ttfbDirect = await load.TimeToFirstByteAsync(300, () => new HttpRequestMessage(HttpMethod.Get, new Uri(backend.BaseUrl, "/sse")));
        var ttfbWorker = await load.TimeToFirstByteAsync(300, () => new HttpRequestMessage(HttpMethod.Get, new Uri(worker.GetListenAddress(), "/sse?" + query)));

        var report = Render(results, ttfbDirect, ttfbWorker, seconds);
        Console.WriteLine(report);
        if (output is not null)
        {
            await File.WriteAllTextAsync(output, report);
        }

        await worker.StopAsync();
        return results.Any(r => r.Errors > 0) ? 1 : 0;
    }

    private static HttpRequestMessage Post(Uri uri, byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new("application/json");
        return new HttpRequestMessage(HttpMethod.Post, uri) { Content = content };
    }

    private static async Task<bool> TryCall(Uri worker, PublicKeyServer keys)
    {
        _ = keys;
        using var client = new HttpClient();
        var auth = TestAutoscalerKey.Shared.Sign("https://203.0.113.7:41234");
        using var response = await client.PostAsync(new Uri(worker, "/v1/chat/completions"), new StringContent(TestAutoscalerKey.Envelope(auth, Payload)));
        return response.IsSuccessStatusCode;
    }

    private static string Render(List<LoadResult> results, (double P50, double P99) ttfbDirect, (double P50, double P99) ttfbWorker, double seconds)
    {
        var s = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        s.AppendLine(inv, $"Proxy load, small JSON POST, {seconds:0.#} s per run after 1 s warm-up, {Environment.ProcessorCount} cores, loopback, load generator + worker + backend in one process.");
        s.AppendLine();
        s.AppendLine("| concurrency | target | req/s | p50 ms | p99 ms | errors | worker/direct req/s | added p50 ms | added p99 ms |");
        s.AppendLine("|---:|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var group in results.GroupBy(r => r.Concurrency))
        {
            var d = group.First(r => r.Target == "direct");
            foreach (var r in group)
            {
                var ratio = r.Target == "direct" ? "" : (r.RequestsPerSecond / d.RequestsPerSecond).ToString("0.00", inv);
                var addP50 = r.Target == "direct" ? "" : (r.P50 - d.P50).ToString("0.000", inv);
                var addP99 = r.Target == "direct" ? "" : (r.P99 - d.P99).ToString("0.000", inv);
                s.AppendLine(inv, $"| {r.Concurrency} | {r.Target} | {r.RequestsPerSecond:0} | {r.P50:0.000} | {r.P99:0.000} | {r.Errors} | {ratio} | {addP50} | {addP99} |");
            }
        }

        s.AppendLine();
        s.AppendLine("Time to first byte of an SSE stream (300 sequential calls):");
        s.AppendLine();
        s.AppendLine("| target | p50 ms | p99 ms |");
        s.AppendLine("|---|---:|---:|");
        s.AppendLine(inv, $"| direct | {ttfbDirect.P50:0.000} | {ttfbDirect.P99:0.000} |");
        s.AppendLine(inv, $"| vespa-worker | {ttfbWorker.P50:0.000} | {ttfbWorker.P99:0.000} |");
        return s.ToString();
    }
}
