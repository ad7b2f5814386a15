using Microsoft.Extensions.Logging;

namespace Vespa.Engine.Tests.Models.Support;

internal sealed record LogEntry(LogLevel Level, string EventName, string Message);
