using Microsoft.Extensions.Time.Testing;
using Vespa.Testing;
using Vespa.Worker.Admission;
using Vespa.Worker.Forwarding;
using Vespa.Worker.Options;
using Vespa.Worker.Sessions;
using Vespa.Worker.Tests.Infrastructure;

namespace Vespa.Worker.Tests.Unit;

public sealed class SessionStoreTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.FromUnixTimeSeconds(1_754_500_000));

    private SessionStore Create(ListLogger<SessionStore> logger, int maxSessions = 10) =>
        // Port 9 (discard) on loopback refuses: the close callback fails fast and is logged.
        new(new LoadTracker(_time), new WorkerOptions { MaxSessions = maxSessions }, new BackendTarget(new Uri("http://127.0.0.1:9")), new PlainHttpClientFactory(), _time, logger);

    [Fact]
    public async Task Logs_ShowOnlyTheFirstFourCharactersOfASessionId()
    {
        var logger = new ListLogger<SessionStore>();
        var store = Create(logger);

        var session = store.TryCreate("{}", "{}", 1, 1, 10, 60, "/closed", null)!;
        await store.CloseAsync(session, "ended by request", CancellationToken.None).DefaultTimeout();

        Assert.Equal(3, logger.Messages.Count); // opened, closed, callback failed
        Assert.All(logger.Messages, message => Assert.DoesNotContain(session.Id, message, StringComparison.Ordinal));
        Assert.All(logger.Messages, message => Assert.Contains($"Session {session.Id[..4]}... ", message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task TryCreate_ConcurrentCreatesAtTheCap_NeverOvershoot()
    {
        var store = Create(new ListLogger<SessionStore>(), maxSessions: 3);

        var created = await Task.WhenAll(Enumerable.Range(0, 32).Select(i => Task.Run(() => store.TryCreate("{}", "{}", i, i, 1, 60, null, null)))).DefaultTimeout();

        Assert.Equal(3, created.Count(s => s is not null));
        Assert.Equal(3, store.Count);
    }

    private sealed class PlainHttpClientFactory : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => new(new SocketsHttpHandler { UseProxy = false });
    }
}
