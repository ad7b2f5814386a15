using System.Security.Cryptography;

namespace Vespa.Engine.Models;

/// <summary>SHA-256 helpers: parsing expected hashes and hashing files.</summary>
internal static class ModelHash
{
    /// <summary>Accepts 64 hex digits in either case (surrounding white space ignored) and gives them in lowercase.</summary>
    public static bool TryNormalize(string? text, out string normalized)
    {
        normalized = "";
        var trimmed = text?.Trim();
        if (trimmed is null || trimmed.Length != 64 || !trimmed.All(char.IsAsciiHexDigit))
        {
            return false;
        }

        normalized = trimmed.ToLowerInvariant();
        return true;
    }

    /// <summary>Like <see cref="TryNormalize"/>, but an invalid hash is an error naming <paramref name="source"/>.</summary>
    public static string? NormalizeOrThrow(string? text, string source)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        return TryNormalize(text, out var normalized)
            ? normalized
            : throw new ModelSourceException($"The expected SHA-256 from {source} is not 64 hexadecimal digits: '{text}'.");
    }

    public static string ComputeFile(string path, CancellationToken cancellationToken = default)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 20];
        int read;
        while ((read = stream.Read(buffer)) > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            hash.AppendData(buffer, 0, read);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
