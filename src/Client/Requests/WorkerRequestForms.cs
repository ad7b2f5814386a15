using System.Buffers;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Vespa.Core.Envelopes;

namespace Vespa.Client.Requests;

/// <summary>
/// Puts signed auth data on a worker request in one of the three forms the worker accepts. Shared by <c>call</c>
/// and the proxy, so both choose the same form for the same request.
/// </summary>
internal static class WorkerRequestForms
{
    private static readonly string[] QueryFields = ["cost", "endpoint", "reqnum", "request_idx", "signature", "url"];

    // The envelope is a UTF-8 body, never HTML: escape only what JSON requires (a signature's '+' stays '+', as the
    // Python SDK writes it).
    private static readonly JsonWriterOptions EnvelopeWriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// The form for a request: the envelope for POST/PUT/PATCH with a non-empty, unencoded JSON body; the query form for
    /// the other methods; the header form for any other body, which the worker then forwards byte for byte.
    /// </summary>
    public static RequestForm Choose(string method, string? contentType, bool hasContentEncoding, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(method);
        var bodyMethod = method.Equals("POST", StringComparison.OrdinalIgnoreCase)
            || method.Equals("PUT", StringComparison.OrdinalIgnoreCase)
            || method.Equals("PATCH", StringComparison.OrdinalIgnoreCase);
        if (!bodyMethod)
        {
            return RequestForm.Query;
        }

        return !body.IsEmpty && !hasContentEncoding && IsJsonMediaType(contentType) && IsJson(body)
            ? RequestForm.Envelope
            : RequestForm.Header;
    }

    /// <summary>Whether <paramref name="contentType"/> is absent, <c>application/json</c> or <c>*/*+json</c>.</summary>
    public static bool IsJsonMediaType(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType))
        {
            return true;
        }

        if (!MediaTypeHeaderValue.TryParse(contentType, out var parsed) || parsed.MediaType is null)
        {
            return false;
        }

        return parsed.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || parsed.MediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Whether <paramref name="body"/> is one complete JSON value (surrounding whitespace allowed).</summary>
    public static bool IsJson(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
            if (!reader.Read())
            {
                return false;
            }

            reader.Skip();
            // A second value after the first is not one JSON document.
            return !reader.Read();
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary><c>{"auth_data": {...}, "session_id": null, "payload": &lt;payload&gt;}</c>, the payload bytes
    /// unchanged (the worker forwards exactly them); the key order is the SDK client's.</summary>
    public static byte[] Envelope(AuthData authData, ReadOnlySpan<byte> payloadJson)
    {
        ArgumentNullException.ThrowIfNull(authData);
        var buffer = new ArrayBufferWriter<byte>(payloadJson.Length + 512);
        using (var writer = new Utf8JsonWriter(buffer, EnvelopeWriterOptions))
        {
            writer.WriteStartObject();
            writer.WritePropertyName("auth_data");
            authData.WriteTo(writer);
            writer.WriteNull("session_id");
            writer.WritePropertyName("payload");
            // Checked by IsJson before the form was chosen.
            writer.WriteRawValue(payloadJson, skipInputValidation: true);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The <c>X-Vespa-Auth-Data</c> value: the six fields as compact, ASCII-only JSON.</summary>
    public static string HeaderValue(AuthData authData)
    {
        ArgumentNullException.ThrowIfNull(authData);
        return authData.ToJson();
    }

    /// <summary>
    /// The query string for the worker: the <c>serverless_*</c> fields first (for the query form), then the caller's
    /// own parameters in order, minus any <c>serverless_*</c> and <c>api_key</c> of theirs. Numbers keep their JSON
    /// text (<c>100.0</c> stays <c>100.0</c>: the legacy scheme signs it). Returns "" or a string starting with '?'.
    /// </summary>
    public static string Query(string? originalQuery, AuthData? authData)
    {
        var builder = new StringBuilder();
        if (authData is not null)
        {
            JsonElement[] values = [authData.Cost, authData.Endpoint, authData.Reqnum, authData.RequestIdx, authData.Signature, authData.Url];
            for (var i = 0; i < QueryFields.Length; i++)
            {
                Append(builder, "serverless_" + QueryFields[i], QueryText(values[i]));
            }
        }

        foreach (var part in (originalQuery ?? "").TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var name = Uri.UnescapeDataString(part.Split('=', 2)[0].Replace('+', ' '));
            if (name.StartsWith("serverless_", StringComparison.Ordinal) || name == "api_key")
            {
                continue;
            }

            builder.Append(builder.Length == 0 ? '?' : '&').Append(part);
        }

        return builder.ToString();
    }

    private static void Append(StringBuilder builder, string name, string value) =>
        builder.Append(builder.Length == 0 ? '?' : '&').Append(name).Append('=').Append(Uri.EscapeDataString(value));

    private static string QueryText(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString() ?? "",
        JsonValueKind.Number => value.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Null or JsonValueKind.Undefined => "",
        _ => value.GetRawText(),
    };

    /// <summary>The worker URL for a path and query: the worker's base URL (its own path kept) plus ours.</summary>
    public static Uri WorkerUri(string workerUrl, string path, string query)
    {
        ArgumentNullException.ThrowIfNull(workerUrl);
        ArgumentNullException.ThrowIfNull(path);
        var normalizedPath = path.StartsWith('/') ? path : "/" + path;
        return new Uri(workerUrl.TrimEnd('/') + normalizedPath + query, UriKind.Absolute);
    }

    /// <summary>Parses a cost (<c>--cost</c>, <c>X-Serverless-Cost</c>): a finite number above 0.</summary>
    public static bool TryParseCost(string? text, out double cost) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out cost) && double.IsFinite(cost) && cost > 0;
}
