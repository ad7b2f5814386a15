using Vespa.Core.Envelopes;
using Vespa.Worker.Errors;
using Vespa.Worker.Metrics;
using Vespa.Worker.Options;

namespace Vespa.Worker.Security;

/// <summary>
/// Checks an envelope before anything is parsed further or forwarded: first that its url names
/// this worker (<see cref="WorkerUrlBinding"/>, no RSA work), then its signature with the scheme
/// setting (url, legacy or auto). Refusals are cheap (see <see cref="Vespa.Core.Signatures.EnvelopeVerifier"/>),
/// counted in <c>vespa_worker_unauthenticated_requests_total</c> by reason, and logged at most once
/// per <see cref="LogInterval"/> with the number held back, never with the signature or other secrets.
/// </summary>
internal sealed partial class SignatureChecker
{
    /// <summary>At most one rejection log line per this interval.</summary>
    public static readonly TimeSpan LogInterval = TimeSpan.FromSeconds(10);

    private readonly PublicKeyStore _keys;
    private readonly WorkerOptions _options;
    private readonly WorkerUrlBinding _urls;
    private readonly WorkerMetrics _metrics;
    private readonly ILogger<SignatureChecker> _logger;
    private readonly LogRateLimiter _logLimiter;

    public SignatureChecker(PublicKeyStore keys, WorkerOptions options, WorkerUrlBinding urls, WorkerMetrics metrics, TimeProvider time, ILogger<SignatureChecker> logger)
    {
        _keys = keys;
        _options = options;
        _urls = urls;
        _metrics = metrics;
        _logger = logger;
        _logLimiter = new LogRateLimiter(time, LogInterval);
    }

    /// <summary>Returns <c>null</c> when the request may go on, or the 401 to answer with.</summary>
    public WorkerError? Check(AuthData authData)
    {
        if (_options.Unsecured)
        {
            return null;
        }

        if (_urls.Check(authData) is { } urlError)
        {
            return Refuse("wrong_url", urlError, urlError.Message);
        }

        var verifier = _keys.Verifier;
        if (verifier is null)
        {
            var error = new WorkerError(StatusCodes.Status401Unauthorized, "signature cannot be checked: " + _keys.Status);
            return Refuse("no_public_key", error, _keys.Status);
        }

        var result = verifier.Verify(authData, _options.SignatureScheme);
        if (result.IsValid)
        {
            return null;
        }

        // Perhaps the autoscaler rotated its key: fetch it again (rate-limited to once per 30 s).
        _keys.RequestRefresh();
        var reasons = string.Join("; ", result.Failures);
        return Refuse("invalid_signature", new WorkerError(StatusCodes.Status401Unauthorized, "invalid signature", new Dictionary<string, object> { ["detail"] = reasons }), reasons);
    }

    private WorkerError Refuse(string reason, WorkerError error, string detail)
    {
        _metrics.Unauthenticated(reason);
        if (_logLimiter.TryAcquire(out var suppressed) && _logger.IsEnabled(LogLevel.Warning))
        {
            Log.Rejected(_logger, reason, SchemeName, detail, suppressed, LogInterval.TotalSeconds);
        }

        return error;
    }

    private string SchemeName => _options.SignatureScheme.ToString().ToLowerInvariant();

    private static partial class Log
    {
        [LoggerMessage(EventId = 110, EventName = "SignatureRejected", Level = LogLevel.Warning, Message = "Rejected a request ({Reason}, scheme setting {Scheme}): {Detail}; {Suppressed} more rejections not logged in the last {Interval} s (see vespa_worker_unauthenticated_requests_total)")]
        public static partial void Rejected(ILogger logger, string reason, string scheme, string detail, long suppressed, double interval);
    }
}
