namespace Vespa.Client.Resilience;

/// <summary>A worker's retryable answer, kept by the proxy instead of relaying it (in case the retries run out and it
/// becomes the answer after all): status, content type and the start of the body.</summary>
internal sealed record CapturedResponse(int StatusCode, string? ContentType, byte[] Body);
