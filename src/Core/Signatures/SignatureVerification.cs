namespace Vespa.Core.Signatures;

/// <summary>The outcome of <see cref="EnvelopeVerifier.Verify"/>.</summary>
public sealed class SignatureVerification
{
    internal SignatureVerification(SignatureScheme? matchedScheme, IReadOnlyList<string> failures)
    {
        MatchedScheme = matchedScheme;
        Failures = failures;
    }

    /// <summary>The signature is valid under one of the schemes tried.</summary>
    public bool IsValid => MatchedScheme is not null;

    /// <summary>The scheme whose message the signature covers, when valid.</summary>
    public SignatureScheme? MatchedScheme { get; }

    /// <summary>Why each scheme tried before a match (or all of them) failed, e.g.
    /// <c>"url: signature does not match"</c>. For logs and diagnostics: never holds key material, signatures or
    /// message contents.</summary>
    public IReadOnlyList<string> Failures { get; }
}
