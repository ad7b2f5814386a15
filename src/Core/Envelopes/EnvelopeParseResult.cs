using System.Text.Json;
using Vespa.Core.Json;

namespace Vespa.Core.Envelopes;

/// <summary>What <see cref="EnvelopeParser.Parse"/> found in a request body.</summary>
public sealed class EnvelopeParseResult
{
    /// <summary>The top-level error text for a body that is not JSON (the Python worker's 422 <c>{"error": "invalid JSON"}</c>).</summary>
    public const string InvalidJson = "invalid JSON";

    /// <summary>The error text for a missing top-level field (the Python worker's wording).</summary>
    public const string FieldMissing = "field missing";

    private static readonly IReadOnlyDictionary<string, object> NoErrors = new Dictionary<string, object>();

    internal EnvelopeParseResult(
        bool isJson,
        bool isObject,
        bool hasAuthData,
        AuthData? authData,
        Range? payloadRange,
        ReadOnlyMemory<byte> body,
        JsonElement? sessionId,
        IReadOnlyDictionary<string, object>? fieldErrors)
    {
        IsJson = isJson;
        IsObject = isObject;
        HasAuthData = hasAuthData;
        AuthData = authData;
        PayloadRange = payloadRange;
        // The cast matters: without it, null converts to an empty ReadOnlyMemory through the array conversion.
        Payload = payloadRange is { } range ? (ReadOnlyMemory<byte>?)body[range] : null;
        SessionId = sessionId;
        FieldErrors = fieldErrors ?? NoErrors;
    }

    /// <summary>The body is one valid JSON value (UTF-8, RFC 8259, no NaN/Infinity literals).</summary>
    public bool IsJson { get; }

    /// <summary>The body is a JSON object.</summary>
    public bool IsObject { get; }

    /// <summary>The top-level key <c>auth_data</c> is present (whatever its value).</summary>
    public bool HasAuthData { get; }

    /// <summary>The auth fields, when <c>auth_data</c> is an object holding all six keys.</summary>
    public AuthData? AuthData { get; }

    /// <summary>The byte range of the <c>payload</c> value in the body, when present.</summary>
    public Range? PayloadRange { get; }

    /// <summary>The <c>payload</c> value's bytes exactly as received (a slice of the body, not a copy), when present.</summary>
    public ReadOnlyMemory<byte>? Payload { get; }

    /// <summary>Whether the body has a <c>payload</c> key.</summary>
    public bool HasPayload => Payload is not null;

    /// <summary>The JSON kind of the payload (<see cref="JsonValueKind.Undefined"/> when absent). The SDK's generic
    /// handler requires an object; Vespa forwards any kind (see <see cref="EnvelopeParser"/>).</summary>
    public JsonValueKind PayloadKind => Payload is { Length: > 0 } payload ? KindOf(payload.Span[0]) : JsonValueKind.Undefined;

    /// <summary>The <c>session_id</c> value when the key is present (it may be JSON <c>null</c>).</summary>
    public JsonElement? SessionId { get; }

    /// <summary>The session id when it is a JSON string; <c>null</c> when absent, JSON null or another kind.</summary>
    public string? SessionIdText => SessionId is { ValueKind: JsonValueKind.String } id ? JsonText.GetString(id) : null;

    /// <summary><see cref="InvalidJson"/> when the body is not JSON; otherwise <c>null</c>.</summary>
    public string? Error => IsJson ? null : InvalidJson;

    /// <summary>
    /// The Python worker's 422 field map, e.g. <c>{"auth_data": {"signature": "missing parameter"}, "payload":
    /// "field missing"}</c>. Values are <see cref="string"/> or <c>IReadOnlyDictionary&lt;string, string&gt;</c>.
    /// Empty when the envelope is complete, and also when the body is not JSON (see <see cref="Error"/>).
    /// </summary>
    public IReadOnlyDictionary<string, object> FieldErrors { get; }

    /// <summary>
    /// Writes the <see cref="FieldErrors"/> members (not an enclosing object) in order, so a caller can place them in
    /// its error body, e.g. <c>"auth_data": {"signature": "missing parameter"}, "payload": "field missing"</c>.
    /// </summary>
    public void WriteFieldErrors(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        foreach (var (name, value) in FieldErrors)
        {
            writer.WritePropertyName(name);
            if (value is IReadOnlyDictionary<string, string> nested)
            {
                writer.WriteStartObject();
                foreach (var (key, text) in nested)
                {
                    writer.WriteString(key, text);
                }

                writer.WriteEndObject();
            }
            else
            {
                writer.WriteStringValue(value.ToString());
            }
        }
    }

    /// <summary>The body is a complete envelope: JSON, auth data with all six keys, and a payload.</summary>
    public bool IsValid => IsJson && FieldErrors.Count == 0 && AuthData is not null && Payload is not null;

    private static JsonValueKind KindOf(byte first) => first switch
    {
        (byte)'{' => JsonValueKind.Object,
        (byte)'[' => JsonValueKind.Array,
        (byte)'"' => JsonValueKind.String,
        (byte)'t' => JsonValueKind.True,
        (byte)'f' => JsonValueKind.False,
        (byte)'n' => JsonValueKind.Null,
        _ => JsonValueKind.Number,
    };
}
