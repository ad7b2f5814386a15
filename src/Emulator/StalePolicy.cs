namespace Vespa.Emulator;

/// <summary>When a silent worker becomes stale: after <see cref="MissedReports"/> of its expected report intervals,
/// and never sooner than <see cref="Minimum"/>.</summary>
internal sealed record StalePolicy(int MissedReports, TimeSpan Minimum, TimeSpan DefaultInterval)
{
    public static StalePolicy From(EmulatorOptions options) =>
        new(options.StaleAfterMissedReports, options.MinimumStaleAfter, options.DefaultReportInterval);
}
