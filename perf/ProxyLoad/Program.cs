using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Vespa.Core.Envelopes;
using Vespa.Emulator;
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

        await using var backend = await StartBackendAsync(app =>
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
        await using var autoscaler = await AutoscalerEmulator.StartAsync(new EmulatorOptions { Port = 0 });
        var options = WorkerOptionsLoader.Load(new Dictionary<string, string>
        {
            ["VESPA_WORKER_PORT"] = "0",
            ["VESPA_BACKEND_URL"] = BaseUrl(backend).ToString(),
            ["REPORT_ADDR"] = autoscaler.BaseUrl.ToString(),
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
        autoscaler.RegisterWorker(worker.GetListenAddress());
        var auth = autoscaler.Route(EmulatedEndpoint.Default.Name).AuthData!;
        var envelope = Encoding.UTF8.GetBytes(Envelope(auth, Payload));
        await WaitUntilAsync(() => TryCallAsync(worker.GetListenAddress(), envelope), "the worker to accept signed requests", TimeSpan.FromSeconds(30));

        var direct = new Uri(BaseUrl(backend), "/v1/chat/completions");
        var proxied = new Uri(worker.GetListenAddress(), "/v1/chat/completions");
        var query = QueryParameters(auth);

        var results = new List<LoadResult>();
        using var load = new LoadGenerator(levels.Max());
        foreach (var concurrency in levels)
        {
            results.Add(await load.RunAsync("direct", concurrency, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(seconds), () => Post(direct, Encoding.UTF8.GetBytes(Payload))));
            results.Add(await load.RunAsync("vespa-worker", concurrency, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(seconds), () => Post(proxied, envelope)));
            Console.Error.WriteLine($"concurrency {concurrency} done");
        }

        var ttfbDirect = await load.TimeToFirstByteAsync(300, () => new HttpRequestMessage(HttpMethod.Get, new Uri(BaseUrl(backend), "/sse")));
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

    private static async Task<bool> TryCallAsync(Uri worker, byte[] envelope)
    {
        using var client = new HttpClient();
        using var response = await client.PostAsync(new Uri(worker, "/v1/chat/completions"), new ByteArrayContent(envelope));
        return response.IsSuccessStatusCode;
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"timed out waiting for {what}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>A Kestrel server on 127.0.0.1 with an ephemeral port: the backend both targets call.</summary>
    private static async Task<WebApplication> StartBackendAsync(Action<WebApplication> map)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        map(app);
        await app.StartAsync();
        return app;
    }

    private static Uri BaseUrl(WebApplication app) => app.GetListenAddress();

    /// <summary>The body of a POST envelope around <paramref name="payloadJson"/> (vast-protocol.md §3).</summary>
    private static string Envelope(AuthData authData, string payloadJson) =>
        $$"""{"auth_data": {{authData.ToJson()}}, "session_id": null, "payload": {{payloadJson}}}""";

    /// <summary>The query form of <paramref name="authData"/>, for the GET (SSE) path.</summary>
    private static string QueryParameters(AuthData authData) =>
        string.Join('&',
            "serverless_cost=" + Uri.EscapeDataString(authData.Cost.GetRawText()),
            "serverless_endpoint=" + Uri.EscapeDataString(authData.EndpointText ?? ""),
            "serverless_reqnum=" + Uri.EscapeDataString(authData.Reqnum.GetRawText()),
            "serverless_request_idx=" + Uri.EscapeDataString(authData.RequestIdx.GetRawText()),
            "serverless_signature=" + Uri.EscapeDataString(authData.SignatureText ?? ""),
            "serverless_url=" + Uri.EscapeDataString(authData.UrlText ?? ""));

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
