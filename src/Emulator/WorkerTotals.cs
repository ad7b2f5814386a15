namespace Vespa.Emulator;

/// <summary>Running totals for one worker since the emulator started.</summary>
/// <param name="Reports">Accepted <c>/worker_status/</c> reports.</param>
/// <param name="Routes">Routes that picked it.</param>
/// <param name="NewLoad">Sum of <c>new_load</c>: workload received.</param>
/// <param name="RejLoad">Sum of <c>rej_load</c>: workload rejected.</param>
/// <param name="CurPerf">Sum of <c>cur_perf</c>: workload served.</param>
/// <param name="DeletedOk">Delete records with success.</param>
/// <param name="DeletedFailed">Delete records without success.</param>
public sealed record WorkerTotals(long Reports, long Routes, double NewLoad, double RejLoad, double CurPerf, long DeletedOk, long DeletedFailed)
{
    public static WorkerTotals Zero { get; } = new(0, 0, 0, 0, 0, 0, 0);
}
