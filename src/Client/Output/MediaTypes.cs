using System.Net.Http.Headers;

namespace Vespa.Client.Output;

/// <summary>Classifies answer content types.</summary>
internal static class MediaTypes
{
    public const string EventStream = "text/event-stream";

    /// <summary>The media type without parameters, lower case; <c>null</c> when absent.</summary>
    public static string? Of(HttpContentHeaders headers) => headers?.ContentType?.MediaType?.ToLowerInvariant();

    /// <summary>Server-sent events.</summary>
    public static bool IsEventStream(string? mediaType) => mediaType == EventStream;

    /// <summary>One JSON document per line (the worker streams these like SSE).</summary>
    public static bool IsJsonLines(string? mediaType) => mediaType is "application/x-ndjson" or "application/jsonl" or "application/x-jsonlines" or "application/json-seq";

    /// <summary>One JSON document: <c>application/json</c> or <c>*/*+json</c>.</summary>
    public static bool IsJson(string? mediaType) =>
        mediaType is not null && (mediaType == "application/json" || mediaType.EndsWith("+json", StringComparison.Ordinal));

    /// <summary>Whether a body of this type is text a terminal can show.</summary>
    public static bool IsText(string? mediaType) =>
        mediaType is null
        || mediaType.StartsWith("text/", StringComparison.Ordinal)
        || mediaType.EndsWith("json", StringComparison.Ordinal)
        || mediaType.EndsWith("+xml", StringComparison.Ordinal)
        || mediaType is "application/xml" or "application/javascript" or "application/x-www-form-urlencoded" or "application/jsonl" or "application/x-jsonlines";
}
