namespace Vespa.Core.Signatures;

/// <summary>Reads and writes the configuration names of <see cref="SignatureScheme"/>: <c>url</c>, <c>legacy</c>,
/// <c>auto</c> (case-insensitive, surrounding whitespace ignored).</summary>
public static class SignatureSchemeParser
{
    public static bool TryParse(string? text, out SignatureScheme scheme)
    {
        var trimmed = text.AsSpan().Trim();
        if (trimmed.Equals("url", StringComparison.OrdinalIgnoreCase))
        {
            scheme = SignatureScheme.Url;
            return true;
        }

        if (trimmed.Equals("legacy", StringComparison.OrdinalIgnoreCase))
        {
            scheme = SignatureScheme.Legacy;
            return true;
        }

        if (trimmed.Equals("auto", StringComparison.OrdinalIgnoreCase))
        {
            scheme = SignatureScheme.Auto;
            return true;
        }

        scheme = default;
        return false;
    }

    /// <exception cref="FormatException"><paramref name="text"/> is not one of the names.</exception>
    public static SignatureScheme Parse(string? text) =>
        TryParse(text, out var scheme)
            ? scheme
            : throw new FormatException($"Unknown signature scheme '{text}'; expected 'url', 'legacy' or 'auto'.");

    /// <summary>The lowercase configuration name.</summary>
    public static string ToName(SignatureScheme scheme) => scheme switch
    {
        SignatureScheme.Url => "url",
        SignatureScheme.Legacy => "legacy",
        SignatureScheme.Auto => "auto",
        _ => throw new ArgumentOutOfRangeException(nameof(scheme), scheme, null),
    };
}
