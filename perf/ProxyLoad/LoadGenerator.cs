using System.Diagnostics;
using System.Net;

namespace Vespa.Perf.ProxyLoad;

/// <summary>
/// Closed-loop load: <c>concurrency</c> callers each send a request, read the whole answer, and
/// send the next, for a fixed time. Bounded in time; loopback only.
/// </summary>
internal sealed class LoadGenerator : IDisposable
{
    private readonly HttpMessageInvoker _invoker;

    public LoadGenerator(int maxConnections)
    {
        _invoker = new HttpMessageInvoker(new SocketsHttpHandler
        {
            UseProxy = false,
            MaxConnectionsPerServer = maxConnections,
            AutomaticDecompression = DecompressionMethods.None,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        });
    }

    public async Task<LoadResult> RunAsync(string target, int concurrency, TimeSpan warmup, TimeSpan duration, Func<HttpRequestMessage> request)
    {
        await RunLoopsAsync(concurrency, warmup, request, record: null);
        var latencies = new List<double>[concurrency];
        for (var i = 0; i < concurrency; i++)
        {
            latencies[i] = new List<double>(4096);
        }

        var started = Stopwatch.GetTimestamp();
        var errors = await RunLoopsAsync(concurrency, duration, request, latencies);
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var all = latencies.SelectMany(l => l).Order().ToList();
        return new LoadResult(target, concurrency, all.Count, errors, seconds, LoadResult.Percentile(all, 50), LoadResult.Percentile(all, 99));
    }

    /// <summary>Median and p99 time to the first body byte of a streamed answer, over sequential calls.</summary>
    public async Task<(double P50, double P99)> TimeToFirstByteAsync(int calls, Func<HttpRequestMessage> request)
    {
        var samples = new List<double>(calls);
        var buffer = new byte[1];
        for (var i = 0; i < calls + 20; i++)
        {
            using var message = request();
            var start = Stopwatch.GetTimestamp();
            using var response = await _invoker.SendAsync(message, CancellationToken.None);
            await using var body = await response.Content.ReadAsStreamAsync();
            _ = await body.ReadAsync(buffer);
            var elapsed = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            await body.CopyToAsync(Stream.Null);
            if (i >= 20)
            {
                samples.Add(elapsed);
            }
        }

        samples.Sort();
        return (LoadResult.Percentile(samples, 50), LoadResult.Percentile(samples, 99));
    }

    private async Task<long> RunLoopsAsync(int concurrency, TimeSpan duration, Func<HttpRequestMessage> request, List<double>[]? record)
    {
        var errors = 0L;
        var deadline = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var loops = Enumerable.Range(0, concurrency).Select(async index =>
        {
            await Task.Yield();
            var buffer = new byte[4096];
            while (Stopwatch.GetTimestamp() < deadline)
            {
                var start = Stopwatch.GetTimestamp();
                try
                {
                    using var message = request();
                    using var response = await _invoker.SendAsync(message, CancellationToken.None);
                    await using var body = await response.Content.ReadAsStreamAsync();
                    while (await body.ReadAsync(buffer) > 0)
                    {
                    }

                    if (response.StatusCode != HttpStatusCode.OK)
                    {
                        Interlocked.Increment(ref errors);
                        continue;
                    }
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref errors);
                    continue;
                }

                record?[index].Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
        });
        await Task.WhenAll(loops);
        return errors;
    }

    public void Dispose() => _invoker.Dispose();
}
