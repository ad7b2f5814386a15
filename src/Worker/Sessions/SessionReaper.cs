using Vespa.Worker.Lifecycle;

namespace Vespa.Worker.Sessions;

/// <summary>Closes expired sessions every 5 s, as the SDK's session GC does; a failing round is logged and the next one runs.</summary>
internal sealed class SessionReaper : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    private readonly SessionStore _sessions;
    private readonly TimeProvider _time;
    private readonly BackgroundLoop _loop;

    public SessionReaper(SessionStore sessions, TimeProvider time, BackgroundLoops loops)
    {
        _sessions = sessions;
        _time = time;
        _loop = loops.Create("session reaper", typeof(SessionReaper));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, _time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            await _loop.RunOnceAsync(_sessions.CloseExpiredAsync, stoppingToken);
        }
    }
}
