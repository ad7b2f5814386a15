using Microsoft.Extensions.Logging;

namespace Vespa.Benchmarks.Tests.Support;

internal sealed record LogEntry(LogLevel Level, string EventName, string Message);
