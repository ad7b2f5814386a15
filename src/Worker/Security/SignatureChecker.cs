using Vespa.Core.Envelopes;
using Vespa.Worker.Errors;
using Vespa.Worker.Options;

namespace Vespa.Worker.Security;

/// <summary>
/// Checks an envelope's signature with the scheme setting (url, legacy or auto) before anything
/// is parsed further or forwarded. A failure is logged with the schemes tried and why each failed,
/// never with the signature or other secrets.
/// </summary>
internal sealed partial class SignatureChecker
{
    private readonly PublicKeyStore _keys;
    private readonly WorkerOptions _options;
    private readonly ILogger<SignatureChecker> _logger;

    public SignatureChecker(PublicKeyStore keys, WorkerOptions options, ILogger<SignatureChecker> logger)
    {
        _keys = keys;
        _options = options;
        _logger = logger;
    }

    /// <summary>Returns <c>null</c> when the request may go on, or the 401 to answer with.</summary>
    public WorkerError? Check(AuthData authData)
    {
        if (_options.Unsecured)
        {
            return null;
        }

        var verifier = _keys.Verifier;
        if (verifier is null)
        {
            Log.NoPublicKey(_logger, _keys.Status);
            return new WorkerError(StatusCodes.Status401Unauthorized, "signature cannot be checked: " + _keys.Status);
        }

        var result = verifier.Verify(authData, _options.SignatureScheme);
        if (result.IsValid)
        {
            return null;
        }

        // Perhaps the autoscaler rotated its key: fetch it again (rate-limited to once per 30 s).
        _keys.RequestRefresh();
        var reasons = string.Join("; ", result.Failures);
        Log.SignatureRejected(_logger, _options.SignatureScheme.ToString().ToLowerInvariant(), reasons);
        return new WorkerError(StatusCodes.Status401Unauthorized, "invalid signature", new Dictionary<string, object> { ["detail"] = reasons });
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 110, EventName = "SignatureRejected", Level = LogLevel.Warning, Message = "Rejected a request: signature check failed (scheme setting {Scheme}): {Reasons}")]
        public static partial void SignatureRejected(ILogger logger, string scheme, string reasons);

        [LoggerMessage(EventId = 111, EventName = "NoPublicKey", Level = LogLevel.Warning, Message = "Rejected a request: {Status}")]
        public static partial void NoPublicKey(ILogger logger, string status);
    }
}
