namespace Vespa.Benchmarks.Runner;

/// <summary>How a benchmark reads one 200 response: the workload it carries, or why it does not count.</summary>
internal readonly record struct ResponseEvaluation(double Workload, string? Problem, string? EstimateNote)
{
    public static ResponseEvaluation Counted(double workload) => new(workload, null, null);

    /// <summary>The response counts, with a workload the benchmark had to assume (logged once per benchmark).</summary>
    public static ResponseEvaluation Estimated(double workload, string note) => new(workload, null, note);

    public static ResponseEvaluation Rejected(string problem) => new(0, problem, null);
}
