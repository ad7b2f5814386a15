using System.Globalization;

namespace Vespa.Engine.Models;

/// <summary>
/// The <c>&lt;file&gt;.sha256</c> sidecar written next to a cached model once its content is
/// complete and checked: one line <c>sha256=&lt;64 lowercase hex&gt; size=&lt;bytes&gt;</c>. A cached
/// model whose size matches its marker is reused without hashing it again (hashing a multi-GB
/// model on every start would cost seconds).
/// </summary>
internal sealed record ModelCacheMarker(string Sha256, long Length)
{
    public const string Suffix = ".sha256";

    public static string PathFor(string modelPath) => modelPath + Suffix;

    /// <summary>The marker of <paramref name="modelPath"/>, or null when it is missing or malformed.</summary>
    public static ModelCacheMarker? TryRead(string modelPath)
    {
        string text;
        try
        {
            text = File.ReadAllText(PathFor(modelPath));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        string? sha = null;
        long? length = null;
        foreach (var part in text.Split([' ', '\t', '\r', '\n'], StringSplitOptions.RemoveEmptyEntries))
        {
            if (part.StartsWith("sha256=", StringComparison.Ordinal) && ModelHash.TryNormalize(part["sha256=".Length..], out var normalized))
            {
                sha = normalized;
            }
            else if (part.StartsWith("size=", StringComparison.Ordinal) && long.TryParse(part["size=".Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var size))
            {
                length = size;
            }
        }

        return sha is not null && length is { } l ? new ModelCacheMarker(sha, l) : null;
    }

    public void Write(string modelPath) =>
        AtomicFile.WriteAllText(PathFor(modelPath), string.Create(CultureInfo.InvariantCulture, $"sha256={Sha256} size={Length}\n"));

    /// <summary>Whether <paramref name="modelPath"/> exists with exactly the recorded size.</summary>
    public bool Matches(string modelPath)
    {
        var info = new FileInfo(modelPath);
        return info.Exists && info.Length == Length;
    }
}
