using System.Text;

namespace Vespa.Benchmarks.Http;

/// <summary>
/// The start of a response body for error messages. Benchmark traffic is synthetic (our prompt,
/// the backend's answer to it), so quoting it is safe, unlike user traffic.
/// </summary>
internal static class BodySnippet
{
    public const int MaxChars = 200;

    public static string From(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty)
        {
            return "(empty body)";
        }

        // Decode a little more than needed; a multi-byte character cut at the end becomes U+FFFD.
        var text = Encoding.UTF8.GetString(body[..Math.Min(body.Length, MaxChars * 4)]);
        var truncated = text.Length > MaxChars || body.Length > MaxChars * 4;
        var builder = new StringBuilder(Math.Min(text.Length, MaxChars) + 1);
        foreach (var c in text.AsSpan(0, Math.Min(text.Length, MaxChars)))
        {
            builder.Append(char.IsControl(c) ? ' ' : c);
        }

        if (truncated)
        {
            builder.Append('…');
        }

        return builder.ToString().Trim();
    }
}
