using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Vespa.Worker.Admission;
using Vespa.Worker.Forwarding;
using Vespa.Worker.Options;

namespace Vespa.Worker.Sessions;

/// <summary>
/// Open sessions, their creation, lookup and closing (vast-protocol.md §4.4). Closing a session
/// aborts its running requests, reports its load record as finished (success), and posts the
/// best-effort close callback to the backend.
/// </summary>
internal sealed partial class SessionStore
{
    private const string IdAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    private readonly ConcurrentDictionary<string, Session> _sessions = new(StringComparer.Ordinal);
    private readonly object _createLock = new();
    private readonly LoadTracker _load;
    private readonly WorkerOptions _options;
    private readonly BackendTarget _backend;
    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly ILogger<SessionStore> _logger;

    public SessionStore(LoadTracker load, WorkerOptions options, BackendTarget backend, IHttpClientFactory httpClientFactory, TimeProvider time, ILogger<SessionStore> logger)
    {
        _load = load;
        _options = options;
        _backend = backend;
        _http = httpClientFactory.CreateClient(nameof(SessionStore));
        _time = time;
        _logger = logger;
    }

    public int Count => _sessions.Count;

    public double Now => _time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0;

    /// <summary>
    /// Opens a session, or returns null when <c>VESPA_MAX_SESSIONS</c> are open (0 = unlimited). The
    /// count and the insertion are one step, so concurrent creates cannot overshoot the cap.
    /// </summary>
    public Session? TryCreate(string authDataJson, string authCanonical, long? requestIdx, long? reqnum, double workload, double lifetime, string? onCloseRoute, string? onClosePayloadJson)
    {
        Session session;
        lock (_createLock)
        {
            if (_options.MaxSessions > 0 && _sessions.Count >= _options.MaxSessions)
            {
                return null;
            }

            // Session ids are credentials' handles: a cryptographic RNG, unlike the SDK's random.choices.
            var id = RandomNumberGenerator.GetString(IdAlphabet, 13);
            var record = _load.StartSession(requestIdx, reqnum, workload);
            session = new Session(id, authDataJson, authCanonical, lifetime, Now, onCloseRoute, onClosePayloadJson, record);
            _sessions[id] = session;
        }

        Log.Created(_logger, session.LogId, lifetime);
        return session;
    }

    public Session? Find(string id) => _sessions.TryGetValue(id, out var session) ? session : null;

    /// <summary>True when <paramref name="presentedCanonical"/> equals the session's auth data (constant time).</summary>
    public static bool Authorizes(Session session, string presentedCanonical) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(session.AuthCanonical), Encoding.UTF8.GetBytes(presentedCanonical));

    /// <summary>Closes a session; false when it was already closed (a race with another close).</summary>
    public async Task<bool> CloseAsync(Session session, string reason, CancellationToken cancellationToken)
    {
        if (!session.Close())
        {
            return false;
        }

        _sessions.TryRemove(new KeyValuePair<string, Session>(session.Id, session));
        _load.Complete(session.Record, RequestStatus.Success);
        Log.Closed(_logger, session.LogId, reason);
        await NotifyBackendAsync(session, cancellationToken);
        return true;
    }

    /// <summary>Closes every session whose expiration has passed.</summary>
    public async Task CloseExpiredAsync(CancellationToken cancellationToken)
    {
        var now = Now;
        foreach (var session in _sessions.Values)
        {
            if (session.Expiration <= now)
            {
                await CloseAsync(session, "expired", cancellationToken);
            }
        }
    }

    /// <summary>
    /// The close callback: <c>POST {backend}{on_close_route}</c> with <c>on_close_payload</c> plus
    /// <c>session_id</c> (an object gets the key added unless it has its own; anything else is wrapped as
    /// <c>{"payload": x, "session_id": id}</c>; none is <c>{"session_id": id}</c>). Best effort, 10 s.
    /// </summary>
    private async Task NotifyBackendAsync(Session session, CancellationToken cancellationToken)
    {
        if (session.OnCloseRoute is not { } route)
        {
            return;
        }

        // The route was checked when the session opened (SessionCloseRoute); the same-origin check is the backstop.
        Uri target;
        try
        {
            target = _backend.Combine(route);
        }
        catch (UriFormatException ex)
        {
            Log.CallbackFailed(_logger, session.LogId, ex.Message);
            return;
        }

        if (!_backend.IsSameOrigin(target))
        {
            Log.CallbackFailed(_logger, session.LogId, "the callback URL does not point at the backend");
            return;
        }

        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10), _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            using var content = new ByteArrayContent(SessionCallbackBody.Build(session.Id, session.OnClosePayloadJson));
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var response = await _http.PostAsync(target, content, linked.Token);
            Log.CallbackSent(_logger, session.LogId, (int)response.StatusCode);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
        {
            Log.CallbackFailed(_logger, session.LogId, ex.Message);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 601, EventName = "SessionCreated", Level = LogLevel.Information, Message = "Session {Session} opened (lifetime {Lifetime}s)")]
        public static partial void Created(ILogger logger, string session, double lifetime);

        [LoggerMessage(EventId = 602, EventName = "SessionClosed", Level = LogLevel.Information, Message = "Session {Session} closed ({Reason})")]
        public static partial void Closed(ILogger logger, string session, string reason);

        [LoggerMessage(EventId = 603, EventName = "SessionCallbackSent", Level = LogLevel.Debug, Message = "Session {Session} close callback answered {Status}")]
        public static partial void CallbackSent(ILogger logger, string session, int status);

        [LoggerMessage(EventId = 604, EventName = "SessionCallbackFailed", Level = LogLevel.Warning, Message = "Session {Session} close callback failed: {Reason}")]
        public static partial void CallbackFailed(ILogger logger, string session, string reason);
    }
}
