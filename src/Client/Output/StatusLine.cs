using System.Globalization;
using Vespa.Client.Resilience;

namespace Vespa.Client.Output;

/// <summary>
/// A spinner with the call's current step, redrawn in place on the error writer while a call routes, waits for a
/// worker or retries — only when that writer is a terminal; elsewhere it prints nothing (logs stay clean).
/// </summary>
internal sealed class StatusLine : IProgressSink, IAsyncDisposable
{
    private static readonly string[] Frames = ["|", "/", "-", "\\"];
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(120);

    private readonly CliConsole _console;
    private readonly TimeProvider _time;
    private readonly long _started;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private volatile string _status = "starting";
    private int _cleared;

    public StatusLine(CliConsole console, TimeProvider time)
    {
        _console = console;
        _time = time;
        _started = time.GetTimestamp();
        _loop = console.IsErrorTerminal ? DrawAsync() : Task.CompletedTask;
    }

    public void Report(string status) => _status = status;

    /// <summary>Stops drawing and erases the line (before the answer is printed).</summary>
    public async Task ClearAsync()
    {
        if (Interlocked.Exchange(ref _cleared, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        if (_console.IsErrorTerminal)
        {
            await _console.Error.WriteAsync("\r\u001b[K").ConfigureAwait(false);
            await _console.Error.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await ClearAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task DrawAsync()
    {
        using var timer = new PeriodicTimer(Interval, _time);
        var frame = 0;
        try
        {
            do
            {
                var elapsed = _time.GetElapsedTime(_started).TotalSeconds.ToString("0", CultureInfo.InvariantCulture);
                // The status quotes the autoscaler ("waiting for a worker: <its words>"): shown, not obeyed.
                var line = $"{Frames[frame++ % Frames.Length]} {TerminalText.Sanitize(_status)} ({elapsed}s)";
                var max = Math.Max(10, _console.Width - 1);
                await _console.Error.WriteAsync("\r" + (line.Length > max ? line[..max] : line) + "\u001b[K").ConfigureAwait(false);
                await _console.Error.FlushAsync(_stop.Token).ConfigureAwait(false);
            }
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Cleared.
        }
    }
}
