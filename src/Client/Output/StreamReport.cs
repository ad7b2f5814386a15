namespace Vespa.Client.Output;

/// <summary>How printing a streamed answer ended.</summary>
/// <param name="Bytes">Body bytes received and shown.</param>
/// <param name="Events">Events (SSE events, NDJSON lines) seen.</param>
/// <param name="Failure">Why the stream broke, or <c>null</c> when it ended normally.</param>
internal sealed record StreamReport(long Bytes, int Events, string? Failure);
