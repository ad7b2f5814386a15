using System.Text.Json;

namespace Vespa.Benchmarks.Runner;

/// <summary>What the shared runner sends, how often at once, and how it reads the answers.</summary>
internal sealed class BenchmarkPlan
{
    /// <summary>Path under the backend base URL, e.g. <c>v1/chat/completions</c>.</summary>
    public required string Path { get; init; }

    /// <summary>Builds the body of one request (called per request, so it may vary ids and seeds).</summary>
    public required Func<HttpContent> CreateContent { get; init; }

    /// <summary>Reads the JSON of a 200 response.</summary>
    public required Func<JsonElement, ResponseEvaluation> Evaluate { get; init; }

    public required int Concurrency { get; init; }

    public required string Unit { get; init; }
}
