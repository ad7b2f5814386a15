using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Vespa.Deploy.Tests.Support;

/// <summary>
/// A bash script run with exactly the environment the test gives (plus PATH, HOME and TMPDIR), so nothing from
/// the machine running the tests (a real CONTAINER_ID, say) leaks in. Output is captured as it arrives.
/// </summary>
internal sealed class ScriptProcess : IAsyncDisposable
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly Lock _gate = new();
    private readonly Task _pumps;

    private ScriptProcess(Process process)
    {
        _process = process;
        _pumps = Task.WhenAll(PumpAsync(process.StandardOutput, _stdout), PumpAsync(process.StandardError, _stderr));
    }

    public int ProcessId => _process.Id;

    public string Stdout
    {
        get
        {
            lock (_gate)
            {
                return _stdout.ToString();
            }
        }
    }

    public string Stderr
    {
        get
        {
            lock (_gate)
            {
                return _stderr.ToString();
            }
        }
    }

    public static ScriptProcess Start(string script, string home, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo("bash")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        start.ArgumentList.Add(script);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Clear();
        start.Environment["PATH"] = Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin";
        start.Environment["HOME"] = home;
        start.Environment["TMPDIR"] = home;
        // The worker's own dotnet host must find the runtime the tests run on.
        if (Environment.GetEnvironmentVariable("DOTNET_ROOT") is { Length: > 0 } dotnetRoot)
        {
            start.Environment["DOTNET_ROOT"] = dotnetRoot;
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("bash did not start");
        process.StandardInput.Close();
        return new ScriptProcess(process);
    }

    /// <summary>Runs the script to its end.</summary>
    public static async Task<ScriptResult> RunAsync(string script, string home, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        await using var run = Start(script, home, environment, args);
        return await run.WaitForExitAsync();
    }

    public async Task<ScriptResult> WaitForExitAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            await _pumps.WaitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"the script did not end in time\n--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}");
        }

        return new ScriptResult(_process.ExitCode, Stdout, Stderr, _process.Id);
    }

    /// <summary>Waits until stdout or stderr matches <paramref name="pattern"/>; returns the match.</summary>
    public async Task<Match> WaitForOutputAsync(Regex pattern, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (true)
        {
            var match = pattern.Match(Stdout + "\n" + Stderr);
            if (match.Success)
            {
                return match;
            }

            if (_process.HasExited || DateTime.UtcNow > deadline)
            {
                await Task.Delay(100);
                match = pattern.Match(Stdout + "\n" + Stderr);
                return match.Success
                    ? match
                    : throw new TimeoutException($"no output matching {pattern} (exited: {_process.HasExited})\n--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Sends SIGTERM, as docker stop and vast.ai do.</summary>
    public async Task TerminateAsync()
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false })!;
        await kill.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private async Task PumpAsync(StreamReader reader, StringBuilder into)
    {
        var buffer = new char[4096];
        int read;
        while ((read = await reader.ReadAsync(buffer)) > 0)
        {
            lock (_gate)
            {
                into.Append(buffer, 0, read);
            }
        }
    }
}
