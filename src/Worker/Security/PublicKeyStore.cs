using Vespa.Core.Signatures;

namespace Vespa.Worker.Security;

/// <summary>
/// Holds the autoscaler's public key once it is loaded, and why it is not when it is not.
/// Written by <see cref="PublicKeyFetcher"/>, read by every secured request (lock-free). A
/// signature failure may mean the autoscaler rotated its key: <see cref="RequestRefresh"/> asks
/// the fetcher for the key again, at most once per <see cref="RefreshInterval"/>, so forged
/// requests cannot turn into a flood of <c>/pubkey/</c> calls.
/// </summary>
internal sealed class PublicKeyStore
{
    /// <summary>The shortest time between two refreshes asked for by failed signatures.</summary>
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(30);

    private readonly TimeProvider _time;
    private TaskCompletionSource _refresh = NewSignal();
    private volatile EnvelopeVerifier? _verifier;
    private volatile string _status = "public key not loaded yet";
    private long _lastRefreshRequest = long.MinValue;

    public PublicKeyStore(TimeProvider time)
    {
        _time = time;
    }

    public EnvelopeVerifier? Verifier => _verifier;

    /// <summary>Why there is no key (or "loaded"); safe to show callers and the autoscaler.</summary>
    public string Status => _status;

    public void SetLoaded(EnvelopeVerifier verifier, string source)
    {
        _verifier = verifier;
        _status = "loaded from " + source;
    }

    public void SetFailure(string reason)
    {
        if (_verifier is null)
        {
            _status = reason;
        }
    }

    /// <summary>
    /// A signature did not verify: fetch the key again in case the autoscaler rotated it. Returns true when this
    /// call asked for a refresh, false when one was asked less than <see cref="RefreshInterval"/> ago (or no key is
    /// loaded yet: the fetcher is at work anyway). Cheap and thread-safe; it never waits.
    /// </summary>
    public bool RequestRefresh()
    {
        if (_verifier is null)
        {
            return false;
        }

        var now = _time.GetTimestamp();
        var last = Interlocked.Read(ref _lastRefreshRequest);
        if (last != long.MinValue && _time.GetElapsedTime(last, now) < RefreshInterval)
        {
            return false;
        }

        if (Interlocked.CompareExchange(ref _lastRefreshRequest, now, last) != last)
        {
            return false;
        }

        Volatile.Read(ref _refresh).TrySetResult();
        return true;
    }

    /// <summary>Completes when a refresh was asked for (and re-arms for the next one).</summary>
    public async Task WaitForRefreshRequestAsync(CancellationToken cancellationToken)
    {
        await Volatile.Read(ref _refresh).Task.WaitAsync(cancellationToken);
        // A request that lands between here and the fetch is served by that fetch.
        Interlocked.Exchange(ref _refresh, NewSignal());
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
