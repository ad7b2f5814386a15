using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace Vespa.Worker.Tests.Infrastructure;

/// <summary>Collects a worker's log lines (level, event name, formatted text) for assertions.</summary>
internal sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<(LogLevel Level, string Event, string Message)> _entries = new();

    public IReadOnlyList<(LogLevel Level, string Event, string Message)> Entries => [.. _entries];

    /// <summary>Adds this provider to a worker (after TestWorker cleared the others).</summary>
    public Action<WebApplicationBuilder> Attach => builder => builder.Logging.AddProvider(this);

    public bool Contains(string eventName) => _entries.Any(e => e.Event == eventName);

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLogs owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner._entries.Enqueue((logLevel, eventId.Name ?? "", formatter(state, exception)));
    }
}
