namespace Vespa.Emulator;

/// <summary>One worker as the emulator sees it at one moment: its state, latest report and running totals.</summary>
/// <param name="Key">The worker's identity: its url (no trailing slash), or <c>id:N</c> when it reports no url.</param>
/// <param name="Registered">Whether it was registered (<c>--worker</c>, <see cref="AutoscalerEmulator.RegisterWorker"/>).</param>
/// <param name="State">Where it stands.</param>
/// <param name="Eligible">Whether <c>/route/</c> may pick it now.</param>
/// <param name="LastReport">Its latest accepted report, or <c>null</c>.</param>
/// <param name="SilentFor">How long since that report, or <c>null</c>.</param>
/// <param name="ExpectedInterval">The report interval the stale limit is based on: the longest of its recent gaps
/// between reports, or <see cref="EmulatorOptions.DefaultReportInterval"/> before it has two.</param>
/// <param name="StaleAfter">How long it may stay silent before it is stale.</param>
/// <param name="Totals">Its running totals.</param>
public sealed record EmulatedWorker(
    string Key,
    bool Registered,
    EmulatedWorkerState State,
    bool Eligible,
    WorkerStatusReport? LastReport,
    TimeSpan? SilentFor,
    TimeSpan ExpectedInterval,
    TimeSpan StaleAfter,
    WorkerTotals Totals);
