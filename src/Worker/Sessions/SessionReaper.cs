namespace Vespa.Worker.Sessions;

/// <summary>Closes expired sessions every 5 s, as the SDK's session GC does.</summary>
internal sealed class SessionReaper : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    private readonly SessionStore _sessions;
    private readonly TimeProvider _time;

    public SessionReaper(SessionStore sessions, TimeProvider time)
    {
        _sessions = sessions;
        _time = time;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, _time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            await _sessions.CloseExpiredAsync(stoppingToken);
        }
    }
}
