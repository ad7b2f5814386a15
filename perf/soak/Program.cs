using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Vespa.Emulator;

namespace Vespa.Perf.Soak;

/// <summary>
/// Soak: starts a loopback backend and the autoscaler emulator here, the real worker (a Release build) as its own
/// process in front of them, drives mixed traffic for a fixed time, samples the worker's RSS, GC committed memory,
/// open descriptors and threads every second, then stops the worker with SIGTERM and writes
/// <c>soak.csv</c> and <c>soak.md</c>. Loopback only; stops by itself.
/// Usage: Vespa.Perf.Soak &lt;seconds&gt; &lt;path/to/vespa-worker.dll&gt; &lt;output dir&gt; &lt;command as run&gt; &lt;commit&gt;
/// </summary>
internal static class Program
{
    private const int Callers = 8;
    private const double PerSecond = 40;
    private const int MaxConcurrency = 16;
    private const long MaxBodyBytes = 1024 * 1024;
    private static readonly TimeSpan IdleAfter = TimeSpan.FromSeconds(20);

    public static async Task<int> Main(string[] args)
    {
        if (args.Length < 5)
        {
            await Console.Error.WriteLineAsync("usage: Vespa.Perf.Soak <seconds> <vespa-worker.dll> <output dir> <command> <commit>");
            return 2;
        }

        var seconds = double.Parse(args[0], CultureInfo.InvariantCulture);
        var workerDll = Path.GetFullPath(args[1]);
        var outputDir = args[2];
        Directory.CreateDirectory(outputDir);
        var run = new SoakRun
        {
            Started = DateTime.UtcNow,
            Command = args[3],
            Commit = args[4],
            Callers = Callers,
            PerSecond = PerSecond,
            TrafficSeconds = seconds,
            MaxConcurrency = MaxConcurrency,
            MaxBodyBytes = MaxBodyBytes,
        };

        await using var backend = await SoakBackend.StartAsync();
        await using var emulator = await AutoscalerEmulator.StartAsync(new EmulatorOptions { Port = 0, MinimumStaleAfter = TimeSpan.FromSeconds(60) });
        var port = FreePort();
        var worker = new Uri("http://127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture));
        using var process = StartWorker(workerDll, port, backend.BaseUrl, emulator.BaseUrl);
        Console.WriteLine($"worker pid {process.Id} on {worker}");
        emulator.RegisterWorker(worker);
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false, MaxConnectionsPerServer = 64 }) { Timeout = TimeSpan.FromSeconds(30) };
        var samples = new List<Sample>();
        try
        {
            using (var ready = new CancellationTokenSource(TimeSpan.FromSeconds(180)))
            {
                await emulator.WaitForStatusReportAsync(r => r.LoadTime > 0, ready.Token);
            }

            var sampler = new ProcessSampler(process.Id, http, worker);
            var traffic = new TrafficMix(emulator, http, worker);
            var clock = Stopwatch.StartNew();
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
            var callers = Enumerable.Range(0, Callers).Select(i => traffic.RunAsync(1000 + i, PerSecond / Callers, stop.Token)).ToList();
            using (var tick = new PeriodicTimer(TimeSpan.FromSeconds(1)))
            {
                while (!stop.IsCancellationRequested && await tick.WaitForNextTickAsync(CancellationToken.None))
                {
                    samples.Add(await sampler.ReadAsync(clock.Elapsed.TotalSeconds, "traffic", traffic.Completed, CancellationToken.None));
                    if (samples.Count % 30 == 0)
                    {
                        var s = samples[^1];
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{s.Seconds,6:0}s rss {s.RssKiB / 1024.0,7:0.0} MiB  gc {s.GcCommittedBytes / 1048576.0,6:0.0} MiB  fds {s.OpenFds,4}  threads {s.Threads,3}  requests {s.Requests}"));
                    }
                }
            }

            await Task.WhenAll(callers).WaitAsync(TimeSpan.FromSeconds(60));
            using (var tick = new PeriodicTimer(TimeSpan.FromSeconds(1)))
            {
                for (var i = 0; i < IdleAfter.TotalSeconds && await tick.WaitForNextTickAsync(CancellationToken.None); i++)
                {
                    samples.Add(await sampler.ReadAsync(clock.Elapsed.TotalSeconds, "idle", traffic.Completed, CancellationToken.None));
                }
            }

            run.Answers = traffic.Answers;
            var admitted = traffic.Admitted.ToHashSet();
            var records = emulator.DeleteReports.SelectMany(r => r.RequestIdxs).ToList();
            var distinct = records.ToHashSet();
            run.Admitted = admitted.Count;
            run.DeleteRecords = records.Count;
            run.DistinctDeleteRecords = distinct.Count;
            run.MissingDeleteRecords = admitted.Count(i => !distinct.Contains(i));
            run.UnexpectedDeleteRecords = distinct.Count(i => !admitted.Contains(i));
            if (emulator.StatusReports is { Count: > 0 } reports)
            {
                run.LastCurLoad = reports[^1].CurLoad;
                run.LastWorking = reports[^1].NumRequestsWorking;
                run.LastErrorMsg = reports[^1].ErrorMsg;
            }
        }
        finally
        {
            run.ExitCode = await StopAsync(process);
        }

        await SoakReport.WriteCsvAsync(Path.Combine(outputDir, "soak.csv"), samples);
        await SoakReport.WriteMarkdownAsync(Path.Combine(outputDir, "soak.md"), run, samples);
        Console.WriteLine("wrote " + Path.Combine(outputDir, "soak.md"));
        return 0;
    }

    private static Process StartWorker(string workerDll, int port, Uri backend, Uri emulator)
    {
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(workerDll);
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("VESPA_", StringComparison.Ordinal) || k.StartsWith("VAST_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(name);
        }

        var p = port.ToString(CultureInfo.InvariantCulture);
        start.Environment["VESPA_HOST"] = "127.0.0.1";
        start.Environment["VESPA_WORKER_PORT"] = p;
        start.Environment["VESPA_BACKEND_URL"] = backend.ToString();
        start.Environment["REPORT_ADDR"] = emulator.ToString();
        start.Environment["CONTAINER_ID"] = "1";
        start.Environment["MASTER_TOKEN"] = "soak";
        start.Environment["PUBLIC_IPADDR"] = "127.0.0.1";
        start.Environment["VAST_TCP_PORT_" + p] = p;
        start.Environment["VESPA_BENCHMARK"] = "constant:1000";
        start.Environment["VESPA_BENCHMARK_CACHE_FILE"] = Path.Combine(Path.GetTempPath(), "vespa-soak-" + p + ".benchmark");
        start.Environment["VESPA_MAX_CONCURRENCY"] = MaxConcurrency.ToString(CultureInfo.InvariantCulture);
        start.Environment["VESPA_MAX_WAIT_TIME"] = "1000";
        start.Environment["VESPA_MAX_BODY_BYTES"] = MaxBodyBytes.ToString(CultureInfo.InvariantCulture);
        start.Environment["VESPA_IDLE_TIMEOUT"] = "30";
        start.Environment["VESPA_LOG_LEVEL"] = "Warning";
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start " + workerDll);
        // Drained so a chatty log never blocks the worker on a full pipe; warnings are expected (forged requests).
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task<int> StopAsync(Process process)
    {
        if (process.HasExited)
        {
            return process.ExitCode;
        }

        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        try
        {
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            return process.ExitCode;
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            return -9;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
