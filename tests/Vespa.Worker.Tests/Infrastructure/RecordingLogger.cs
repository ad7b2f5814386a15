using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Vespa.Worker.Tests.Infrastructure;

/// <summary>An <see cref="ILogger"/> that keeps every line (level, event name, text) for assertions.</summary>
internal sealed class RecordingLogger : ILogger
{
    private readonly ConcurrentQueue<(LogLevel Level, string Event, string Message)> _entries = new();

    public IReadOnlyList<(LogLevel Level, string Event, string Message)> Entries => [.. _entries];

    public IEnumerable<(LogLevel Level, string Event, string Message)> Named(string eventName) => Entries.Where(e => e.Event == eventName);

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        _entries.Enqueue((logLevel, eventId.Name ?? "", formatter(state, exception)));
}
