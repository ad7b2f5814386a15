using Vespa.Worker.Admission;

namespace Vespa.Worker.Sessions;

/// <summary>
/// A worker-local session (vast-protocol.md §4.4): the auth data it was created with (its
/// credential), its lifetime and expiry, the close callback, and the requests running in it.
/// </summary>
internal sealed class Session
{
    private readonly object _lock = new();
    private readonly HashSet<CancellationTokenSource> _running = [];
    private double _expiration;
    private bool _closed;

    public Session(string id, string authDataJson, string authCanonical, double lifetime, double createdAt, string? onCloseRoute, string? onClosePayloadJson, RequestRecord record)
    {
        Id = id;
        AuthDataJson = authDataJson;
        AuthCanonical = authCanonical;
        Lifetime = lifetime;
        CreatedAt = createdAt;
        _expiration = createdAt + lifetime;
        OnCloseRoute = onCloseRoute;
        OnClosePayloadJson = onClosePayloadJson;
        Record = record;
    }

    public string Id { get; }

    /// <summary>The id as logs show it: its first 4 characters, enough to correlate, too few to use.</summary>
    public string LogId => Redact(Id);

    /// <summary>The <c>auth_data</c> object as received (returned by <c>/session/get</c>).</summary>
    public string AuthDataJson { get; }

    /// <summary>The same, in Python-canonical form: <c>session_auth</c> must equal it.</summary>
    public string AuthCanonical { get; }

    public double Lifetime { get; }

    public double CreatedAt { get; }

    public string? OnCloseRoute { get; }

    public string? OnClosePayloadJson { get; }

    /// <summary>The session's own load record: it counts in <c>cur_load</c> while open.</summary>
    public RequestRecord Record { get; }

    public double Expiration
    {
        get
        {
            lock (_lock)
            {
                return _expiration;
            }
        }
    }

    public bool IsClosed
    {
        get
        {
            lock (_lock)
            {
                return _closed;
            }
        }
    }

    /// <summary>A session id shortened for logs (the full id is half of what commands a session).</summary>
    public static string Redact(string id) => id.Length <= 4 ? id : id[..4] + "...";

    /// <summary>
    /// A request used the session: it lives <see cref="Lifetime"/> seconds from now. (The SDK adds
    /// the lifetime on every request, so a busy session outlives its last use by far; ours slides.)
    /// </summary>
    public bool Touch(double now)
    {
        lock (_lock)
        {
            if (_closed)
            {
                return false;
            }

            _expiration = Math.Max(_expiration, now + Lifetime);
            return true;
        }
    }

    /// <summary>Registers a running request, so closing the session can abort it; null when already closed.</summary>
    public CancellationTokenSource? Enter(CancellationToken requestAborted)
    {
        lock (_lock)
        {
            if (_closed)
            {
                return null;
            }

            var linked = CancellationTokenSource.CreateLinkedTokenSource(requestAborted);
            _running.Add(linked);
            return linked;
        }
    }

    public void Leave(CancellationTokenSource running)
    {
        lock (_lock)
        {
            _running.Remove(running);
        }
    }

    /// <summary>Marks the session closed and aborts its running requests; false if it already was.</summary>
    public bool Close()
    {
        CancellationTokenSource[] running;
        lock (_lock)
        {
            if (_closed)
            {
                return false;
            }

            _closed = true;
            running = [.. _running];
        }

        foreach (var request in running)
        {
            try
            {
                request.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The request ended in the meantime.
            }
        }

        return true;
    }
}
