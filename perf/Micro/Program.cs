using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Running;

namespace Vespa.Perf.Micro;

/// <summary>
/// Micro-benchmarks. <c>dotnet run -c Release --project perf/Micro -- --filter '*' --job short --inProcess</c> runs
/// them under BenchmarkDotNet (wall time, allocations). <c>dotnet run -c Release --project perf/Micro -- cpu [N]</c>
/// runs each signature-check case N times (default 3000) and prints the process CPU time per call next to the wall
/// time: on a shared machine the CPU figure is what a call costs, the wall figure also counts waiting for a core.
/// </summary>
public static class Program
{
    public static void Main(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Length > 0 && args[0] == "cpu")
        {
            MeasureCpu(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3000);
            return;
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }

    private static void MeasureCpu(int calls)
    {
        var benchmarks = new SignatureCheckBenchmarks();
        benchmarks.Setup();
        (string Name, Func<bool> Call)[] cases =
        [
            (nameof(benchmarks.UrlCached), benchmarks.UrlCached),
            (nameof(benchmarks.UrlUncached), benchmarks.UrlUncached),
            (nameof(benchmarks.LegacyUncached), benchmarks.LegacyUncached),
            (nameof(benchmarks.LegacyUncachedAsOn3374aaf), benchmarks.LegacyUncachedAsOn3374aaf),
            (nameof(benchmarks.ForgedUncached), benchmarks.ForgedUncached),
            (nameof(benchmarks.ForgedRepeated), benchmarks.ForgedRepeated),
            (nameof(benchmarks.ForgedUncachedAsOn3374aaf), benchmarks.ForgedUncachedAsOn3374aaf),
        ];
        // Rounds alternate the cases, so a burst of load from other processes hits them all alike; the median round counts.
        const int Rounds = 7;
        var perRound = Math.Max(1, calls / Rounds);
        var cpuPerCall = cases.ToDictionary(c => c.Name, _ => new List<double>());
        var wallPerCall = cases.ToDictionary(c => c.Name, _ => new List<double>());
        using var process = Process.GetCurrentProcess();
        foreach (var (_, call) in cases)
        {
            for (var i = 0; i < 300; i++)
            {
                call();
            }
        }

        for (var round = 0; round < Rounds; round++)
        {
            foreach (var (name, call) in cases)
            {
                process.Refresh();
                var cpuBefore = process.TotalProcessorTime;
                var wall = Stopwatch.StartNew();
                for (var i = 0; i < perRound; i++)
                {
                    call();
                }

                wall.Stop();
                process.Refresh();
                cpuPerCall[name].Add((process.TotalProcessorTime - cpuBefore).TotalMicroseconds / perRound);
                wallPerCall[name].Add(wall.Elapsed.TotalMicroseconds / perRound);
            }
        }

        Console.WriteLine($"| case | CPU µs per call (median of {Rounds} rounds) | wall µs per call | calls |");
        Console.WriteLine("|---|---:|---:|---:|");
        foreach (var (name, _) in cases)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {Median(cpuPerCall[name]):F1} | {Median(wallPerCall[name]):F1} | {perRound * Rounds} |"));
        }

        benchmarks.Cleanup();
    }
}
