using System.Diagnostics;
using Vespa.Engine.Scheduling;

namespace Vespa.Perf.EngineBench;

/// <summary>
/// The shared clock of one pass: every consumer reports each event it reads; the first event of
/// the batch opens the generation window (and records how many tokens the scheduler had generated
/// by then), the last final event closes it.
/// </summary>
internal sealed class PassClock
{
    private readonly InferenceScheduler _scheduler;
    private readonly long _generatedBaseline;
    private long _first;
    private long _last;

    public PassClock(InferenceScheduler scheduler)
    {
        _scheduler = scheduler;
        _generatedBaseline = scheduler.GeneratedTokens;
        Submitted = Stopwatch.GetTimestamp();
    }

    public long Submitted { get; }

    public long First => Volatile.Read(ref _first);

    public long Last => Volatile.Read(ref _last);

    /// <summary>Tokens the scheduler had generated for this pass when the window opened.</summary>
    public long GeneratedAtFirst { get; private set; }

    public void OnEvent(bool isFinal)
    {
        var now = Stopwatch.GetTimestamp();
        if (Volatile.Read(ref _first) == 0 && Interlocked.CompareExchange(ref _first, now, 0) == 0)
        {
            GeneratedAtFirst = _scheduler.GeneratedTokens - _generatedBaseline;
        }

        if (isFinal)
        {
            long seen;
            do
            {
                seen = Volatile.Read(ref _last);
            }
            while (now > seen && Interlocked.CompareExchange(ref _last, now, seen) != seen);
        }
    }
}
