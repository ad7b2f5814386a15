namespace Vespa.Perf.Soak;

/// <summary>What the summary says about a run besides the samples.</summary>
internal sealed class SoakRun
{
    public required DateTime Started { get; init; }

    public required string Commit { get; init; }

    public required string Command { get; init; }

    public required int Callers { get; init; }

    public required double PerSecond { get; init; }

    public required double TrafficSeconds { get; init; }

    public required int MaxConcurrency { get; init; }

    public required long MaxBodyBytes { get; init; }

    public IReadOnlyDictionary<string, long> Answers { get; set; } = new Dictionary<string, long>();

    public int Admitted { get; set; }

    public int DeleteRecords { get; set; }

    public int DistinctDeleteRecords { get; set; }

    public int MissingDeleteRecords { get; set; }

    public int UnexpectedDeleteRecords { get; set; }

    public double LastCurLoad { get; set; } = double.NaN;

    public long LastWorking { get; set; } = -1;

    public string LastErrorMsg { get; set; } = "";

    public int ExitCode { get; set; } = -1;
}
