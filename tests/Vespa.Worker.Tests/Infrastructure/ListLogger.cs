using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Vespa.Worker.Tests.Infrastructure;

/// <summary>Keeps every log line (level, event name, formatted message) for assertions.</summary>
internal sealed class ListLogger<T> : ILogger<T>
{
    private readonly ConcurrentQueue<(LogLevel Level, string Event, string Message)> _entries = new();

    public IReadOnlyCollection<string> Messages => [.. _entries.Select(e => e.Message)];

    public IReadOnlyList<(LogLevel Level, string Event, string Message)> Entries => [.. _entries];

    /// <summary>The lines of one <c>[LoggerMessage]</c> event, by its <c>EventName</c>.</summary>
    public IEnumerable<(LogLevel Level, string Event, string Message)> Named(string eventName) => Entries.Where(e => e.Event == eventName);

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        _entries.Enqueue((logLevel, eventId.Name ?? "", formatter(state, exception)));
}
