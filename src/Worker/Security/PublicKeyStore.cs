using Vespa.Core.Signatures;

namespace Vespa.Worker.Security;

/// <summary>
/// Holds the autoscaler's public key once it is loaded, and why it is not when it is not.
/// Written by <see cref="PublicKeyFetcher"/>, read by every secured request (lock-free).
/// </summary>
internal sealed class PublicKeyStore
{
    private volatile EnvelopeVerifier? _verifier;
    private volatile string _status = "public key not loaded yet";

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
}
