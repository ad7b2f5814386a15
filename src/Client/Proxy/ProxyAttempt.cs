using Vespa.Client.Requests;
using Vespa.Client.Resilience;

namespace Vespa.Client.Proxy;

/// <summary>
/// One forwarding attempt of a proxied request, as an <see cref="Microsoft.AspNetCore.Http.HttpContext"/> feature for
/// the transformer: where it goes, how the auth data travels, whether a retryable answer may be held back for a retry,
/// and whether the answer has started to be relayed (after which the pipeline's timeouts no longer cut it).
/// </summary>
internal sealed class ProxyAttempt : IDisposable
{
    private readonly Lock _lock = new();
    private bool _started;

    public ProxyAttempt(Uri destination, RequestForm form, string? authHeader, bool mayRetry)
    {
        Destination = destination;
        Form = form;
        AuthHeader = authHeader;
        MayRetry = mayRetry;
    }

    public Uri Destination { get; }

    public RequestForm Form { get; }

    /// <summary>The <c>X-Vespa-Auth-Data</c> value for the header form.</summary>
    public string? AuthHeader { get; }

    /// <summary>Whether a retryable answer (408/429/5xx) is held back for another attempt instead of relayed.</summary>
    public bool MayRetry { get; }

    /// <summary>The held-back answer, when there was one.</summary>
    public CapturedResponse? Captured { get; set; }

    public TimeSpan? RetryAfter { get; set; }

    /// <summary>Cancels the forwarding; fired by the pipeline's tokens only until the answer starts.</summary>
    public CancellationTokenSource Forwarding { get; } = new();

    /// <summary>Whether the answer's status and headers have been handed to the caller.</summary>
    public bool Started
    {
        get
        {
            lock (_lock)
            {
                return _started;
            }
        }
    }

    /// <summary>Marks the answer as relayed from now on.</summary>
    public void Start()
    {
        lock (_lock)
        {
            _started = true;
        }
    }

    /// <summary>The pipeline's attempt or total timeout fired: stop, unless the answer is already being relayed (a
    /// stream is never cut by a total timeout; the idle timeout guards it).</summary>
    public void CancelUnlessStarted()
    {
        lock (_lock)
        {
            if (!_started)
            {
                Forwarding.Cancel();
            }
        }
    }

    public void Dispose() => Forwarding.Dispose();
}
