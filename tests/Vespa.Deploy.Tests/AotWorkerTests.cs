using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Vespa.Deploy.Tests.Support;
using Vespa.Testing;

namespace Vespa.Deploy.Tests;

/// <summary>
/// The shipped artifact (issue 10): the Native AOT vespa-worker from <c>scripts/publish.sh</c> starts without a .NET
/// runtime beside it, listens at once and answers its own <c>/ping</c>, while the backend is still unreachable.
/// </summary>
public sealed class AotWorkerTests
{
    /// <summary>Generous for a loaded CI machine; on an idle one the AOT worker listens within tens of milliseconds.</summary>
    private static readonly TimeSpan ListenBudget = TimeSpan.FromSeconds(3);

    [AotWorkerFact]
    public async Task PublishedBinary_StartsListensAndAnswersPing()
    {
        var port = FreePort();
        var start = new ProcessStartInfo(AotWorkerFactAttribute.Binary!)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetTempPath(),
        };
        start.Environment.Clear();
        start.Environment["PATH"] = "/usr/bin:/bin";
        start.Environment["VESPA_BACKEND_URL"] = "http://127.0.0.1:9";
        start.Environment["VESPA_WORKER_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["VESPA_BENCHMARK"] = "constant:1000";
        start.Environment["VESPA_BENCHMARK_CACHE_FILE"] = Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"));
        // No .NET runtime may be needed: nothing points at one.
        start.Environment["DOTNET_ROOT"] = "/nonexistent";

        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        // Drained as it comes, so a chatty worker never blocks on a full pipe.
        var output = new System.Text.StringBuilder();
        var gate = new Lock();
        process.OutputDataReceived += (_, e) => { lock (gate) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (gate) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            HttpStatusCode? status = null;
            while (clock.Elapsed < TaskTimeoutExtensions.Timeout && !process.HasExited)
            {
                try
                {
                    using var response = await client.GetAsync(new Uri($"http://127.0.0.1:{port}/ping")).DefaultTimeout();
                    status = response.StatusCode;
                    Assert.Equal("pong", await response.Content.ReadAsStringAsync().DefaultTimeout());
                    break;
                }
                catch (HttpRequestException)
                {
                    await Task.Delay(5);
                }
            }

            var listening = clock.Elapsed;
            if (process.HasExited)
            {
                lock (gate)
                {
                    Assert.Fail($"the worker exited with {process.ExitCode}: {output}");
                }
            }

            Assert.Equal(HttpStatusCode.OK, status);
            Assert.True(listening < ListenBudget, $"first /ping answered after {listening.TotalMilliseconds:0} ms");
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync().DefaultTimeout();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
