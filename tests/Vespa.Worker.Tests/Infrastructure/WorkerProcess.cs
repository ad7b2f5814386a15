using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;
using Vespa.Testing;

namespace Vespa.Worker.Tests.Infrastructure;

/// <summary>
/// The real vespa-worker process (<c>dotnet vespa-worker.dll</c>) with exactly the environment given, its output
/// collected line by line: for what only a process shows (exit codes, SIGTERM, a port taken by someone else).
/// </summary>
internal sealed partial class WorkerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();

    private WorkerProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => Collect(e.Data);
        process.ErrorDataReceived += (_, e) => Collect(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Output => string.Join('\n', _lines);

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public static WorkerProcess Start(IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "vespa-worker.dll"));
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("VESPA_", StringComparison.Ordinal) || k.StartsWith("PYWORKER_", StringComparison.Ordinal) || k.StartsWith("VAST_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(name);
        }

        foreach (var name in new[] { "CONTAINER_ID", "REPORT_ADDR", "MASTER_TOKEN", "PUBLIC_IPADDR", "WORKER_PORT", "USE_SSL", "UNSECURED" })
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        return new WorkerProcess(Process.Start(start)!);
    }

    /// <summary>The address the worker logged it listens on.</summary>
    public async Task<Uri> WaitForListenAddressAsync()
    {
        Uri? found = null;
        await TaskTimeoutExtensions.WaitUntilAsync(
            () =>
            {
                var match = _lines.Select(l => Listening().Match(l)).FirstOrDefault(m => m.Success);
                found = match is null ? null : new Uri(match.Groups[1].Value);
                return found is not null || _process.HasExited;
            },
            "the worker to listen",
            TimeSpan.FromSeconds(60));
        return found ?? throw new InvalidOperationException("the worker exited: " + Output);
    }

    /// <summary>What <c>docker stop</c> sends.</summary>
    public void SendSigterm()
    {
        using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    public async Task<int> WaitForExitAsync()
    {
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        _process.WaitForExit(); // drains the output events
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().DefaultTimeout();
        }

        _process.Dispose();
    }

    private void Collect(string? line)
    {
        if (line is not null)
        {
            _lines.Enqueue(line);
        }
    }

    [GeneratedRegex(@"listening on (http://127\.0\.0\.1:\d+)")]
    private static partial Regex Listening();
}
