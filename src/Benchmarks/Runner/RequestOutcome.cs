using Vespa.Benchmarks.Http;

namespace Vespa.Benchmarks.Runner;

/// <summary>One benchmark request: its workload when it succeeded, otherwise what went wrong.</summary>
internal sealed class RequestOutcome
{
    private RequestOutcome(bool succeeded, double workload, string kind, string? detail, string? estimateNote)
    {
        Succeeded = succeeded;
        Workload = workload;
        Kind = kind;
        Detail = detail;
        EstimateNote = estimateNote;
    }

    public bool Succeeded { get; }

    public double Workload { get; }

    /// <summary>A short label that groups failures: <c>HTTP 500</c>, <c>HTTP 200 (unexpected body)</c>, <c>timeout</c>, <c>connection error</c>.</summary>
    public string Kind { get; }

    /// <summary>What went wrong in detail (the start of the body, the exception message).</summary>
    public string? Detail { get; }

    public string? EstimateNote { get; }

    public static RequestOutcome Success(double workload, string? estimateNote) => new(true, workload, "HTTP 200", null, estimateNote);

    public static RequestOutcome HttpError(int status, ReadOnlySpan<byte> body) =>
        new(false, 0, "HTTP " + status.ToString(System.Globalization.CultureInfo.InvariantCulture), BodySnippet.From(body), null);

    public static RequestOutcome BadBody(string problem, ReadOnlySpan<byte> body) =>
        new(false, 0, "HTTP 200 (unexpected body)", problem + ": " + BodySnippet.From(body), null);

    public static RequestOutcome Timeout(string detail) => new(false, 0, "timeout", detail, null);

    public static RequestOutcome ConnectionError(string detail) => new(false, 0, "connection error", detail, null);

    /// <summary>"HTTP 500: {"error": "boom"}", "timeout: no answer within 00:10:00", ...</summary>
    public string Describe() => Detail is null ? Kind : Kind + ": " + Detail;
}
