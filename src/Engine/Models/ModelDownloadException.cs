using System.Net;

namespace Vespa.Engine.Models;

/// <summary>
/// A model download failed for good: an HTTP error that retrying cannot fix (404, 403, ...), retries
/// exhausted, content that is not a GGUF file, or a SHA-256 mismatch (<see cref="ExpectedSha256"/>
/// and <see cref="ActualSha256"/> are then both set, and the partial file has been deleted).
/// </summary>
public sealed class ModelDownloadException : ModelSourceException
{
    public ModelDownloadException()
    {
    }

    public ModelDownloadException(string message)
        : base(message)
    {
    }

    public ModelDownloadException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The HTTP status of the failed answer, when the failure was one.</summary>
    public HttpStatusCode? StatusCode { get; init; }

    /// <summary>The hash the content should have had (lowercase hex), on a mismatch.</summary>
    public string? ExpectedSha256 { get; init; }

    /// <summary>The hash the downloaded content had (lowercase hex), on a mismatch.</summary>
    public string? ActualSha256 { get; init; }
}
