using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Vespa.Client.Requests;

/// <summary>
/// Checks and adjusts a JSON request body before anything is sent: a body that is not JSON would only come back as the
/// backend's 400 after a routed (on vast.ai, paid-for) request, so it is refused here with where the text goes wrong.
/// </summary>
internal static class JsonBody
{
    /// <summary>Why <paramref name="body"/> is not one JSON document, with its position ("... (line 1, column 9)");
    /// <c>null</c> when it is one.</summary>
    public static string? Problem(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        try
        {
            var any = false;
            while (reader.Read())
            {
                any = true;
            }

            if (!any)
            {
                return "it is empty (no JSON value)";
            }

            return reader.CurrentDepth == 0 ? null : $"it ends inside an object or array {Position(body, body.Length)}";
        }
        catch (JsonException e)
        {
            return $"{Reason(e.Message)} (line {e.LineNumber + 1 ?? 1}, column {e.BytePositionInLine + 1 ?? 1})";
        }
    }

    /// <summary>
    /// For <c>--stream</c>: a JSON object without a <c>"stream"</c> member gets <c>"stream": true</c> (OpenAI-style
    /// backends stream only when the body asks), inserted before the closing brace so the rest of the body keeps its
    /// bytes. Returns the new body and what to tell the user, or the body unchanged with a warning when it says
    /// <c>"stream"</c> is something other than <c>true</c> (the user's explicit choice wins), or unchanged without a
    /// note when it is not an object.
    /// </summary>
    public static (byte[] Body, string? Note) WithStreamTrue(byte[] body)
    {
        ArgumentNullException.ThrowIfNull(body);
        bool empty;
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return (body, null);
            }

            if (root.TryGetProperty("stream", out var stream))
            {
                return stream.ValueKind == JsonValueKind.True
                    ? (body, null)
                    : (body, $"--stream: the body says \"stream\": {stream.GetRawText()}, so the backend may answer in one piece; it is sent as it is.");
            }

            empty = !root.EnumerateObject().Any();
        }
        catch (JsonException)
        {
            return (body, null);
        }

        var close = Array.LastIndexOf(body, (byte)'}');
        var end = close;
        while (end > 0 && body[end - 1] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
        {
            end--;
        }

        var insert = Encoding.UTF8.GetBytes((empty ? "" : ", ") + "\"stream\": true");
        byte[] result = [.. body.AsSpan(0, end), .. insert, .. body.AsSpan(end)];
        return (result, "--stream: added \"stream\": true to the JSON body, so that the backend streams its answer.");
    }

    /// <summary>The reader's message without its position suffix and advice about reader options.</summary>
    private static string Reason(string message)
    {
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        var reason = (cut < 0 ? message : message[..cut]).Replace(" Change the reader options.", "", StringComparison.Ordinal).Trim();
        return reason.TrimEnd('.');
    }

    private static string Position(ReadOnlySpan<byte> body, int offset)
    {
        var line = 1;
        var column = 1;
        foreach (var b in body[..offset])
        {
            if (b == (byte)'\n')
            {
                line++;
                column = 1;
            }
            else
            {
                column++;
            }
        }

        return string.Create(CultureInfo.InvariantCulture, $"(line {line}, column {column})");
    }
}
