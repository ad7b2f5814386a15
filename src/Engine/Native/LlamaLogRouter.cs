using System.Text;
using Microsoft.Extensions.Logging;

namespace Vespa.Engine.Native;

/// <summary>
/// Turns llama.cpp/ggml log callbacks into <see cref="ILogger"/> lines: fragments are joined until a newline
/// (<see cref="GgmlLogLevel.Cont"/> continues the previous message at its level), and the latest error lines of the
/// calling thread are kept so that a failed native call can say why.
/// </summary>
/// <remarks>
/// Levels: llama.cpp's INFO is chatty (about a hundred lines per model load), so it is Debug here; its DEBUG is
/// Trace; WARN and ERROR keep their level. Callbacks may come from native threads; the pending line is per thread.
/// </remarks>
internal sealed partial class LlamaLogRouter : IDisposable
{
    private const int MaxKeptErrors = 8;

    private readonly ILogger _logger;
    private readonly ThreadLocal<ThreadState> _state = new(() => new ThreadState());

    public LlamaLogRouter(ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(logger);
        _logger = logger;
    }

    public ILogger Logger => _logger;

    /// <summary>Maps a ggml level to a logging level.</summary>
    public static LogLevel Map(GgmlLogLevel level) => level switch
    {
        GgmlLogLevel.Debug => LogLevel.Trace,
        GgmlLogLevel.Info => LogLevel.Debug,
        GgmlLogLevel.Warn => LogLevel.Warning,
        GgmlLogLevel.Error => LogLevel.Error,
        _ => LogLevel.Information,
    };

    /// <summary>Handles one callback. Never throws for well-formed input.</summary>
    public void Write(GgmlLogLevel level, string? text)
    {
        var state = _state.Value!;
        if (level != GgmlLogLevel.Cont)
        {
            Flush(state);
            state.Level = level;
        }

        if (string.IsNullOrEmpty(text))
        {
            return;
        }

        var start = 0;
        while (start < text.Length)
        {
            var newline = text.IndexOf('\n', start);
            if (newline < 0)
            {
                state.Pending.Append(text, start, text.Length - start);
                return;
            }

            state.Pending.Append(text, start, newline - start);
            Flush(state);
            start = newline + 1;
        }
    }

    /// <summary>Emits the pending partial line of the calling thread, if any.</summary>
    public void Flush() => Flush(_state.Value!);

    /// <summary>The error lines logged on the calling thread since the last call, joined; null when none.</summary>
    public string? TakeErrors()
    {
        var state = _state.Value!;
        Flush(state);
        if (state.Errors.Count == 0)
        {
            return null;
        }

        var text = string.Join("; ", state.Errors);
        state.Errors.Clear();
        return text;
    }

    /// <summary>Releases the per-thread state (the runtime's router lives as long as the process).</summary>
    public void Dispose() => _state.Dispose();

    /// <summary>Forgets the calling thread's error lines (before a native call whose failure will be reported).</summary>
    public void ClearErrors() => _state.Value!.Errors.Clear();

    private void Flush(ThreadState state)
    {
        if (state.Pending.Length == 0)
        {
            return;
        }

        var line = state.Pending.ToString().TrimEnd();
        state.Pending.Clear();
        if (line.Length == 0)
        {
            return;
        }

        var level = Map(state.Level);
        if (state.Level == GgmlLogLevel.Error)
        {
            if (state.Errors.Count == MaxKeptErrors)
            {
                state.Errors.RemoveAt(0);
            }

            state.Errors.Add(line);
        }

        Log.NativeMessage(_logger, level, line);
    }

    private sealed class ThreadState
    {
        public StringBuilder Pending { get; } = new();

        public GgmlLogLevel Level { get; set; } = GgmlLogLevel.Info;

        public List<string> Errors { get; } = [];
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 500, EventName = "LlamaNativeLog", Message = "llama.cpp: {NativeMessage}")]
        public static partial void NativeMessage(ILogger logger, LogLevel level, string nativeMessage);
    }
}
