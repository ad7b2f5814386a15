using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Vespa.Engine.Tests.Models.Support;

/// <summary>Keeps every log entry for assertions.</summary>
internal sealed class ListLogger<T> : ILogger<T>
{
    private readonly ConcurrentQueue<LogEntry> _entries = new();

    public IReadOnlyCollection<LogEntry> Entries => _entries;

    public IEnumerable<LogEntry> Named(string eventName) => _entries.Where(e => e.EventName == eventName);

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        _entries.Enqueue(new LogEntry(logLevel, eventId.Name ?? "", formatter(state, exception)));
}
