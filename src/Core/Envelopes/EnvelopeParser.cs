using System.Text.Json;
using System.Text.Unicode;

namespace Vespa.Core.Envelopes;

/// <summary>
/// Parses a request body <c>{"auth_data": {...}, "session_id": null|string, "payload": &lt;any JSON&gt;}</c>
/// (vast-protocol.md §1.1) without re-serialising the payload: the worker forwards the payload's original bytes.
/// </summary>
/// <remarks>
/// <para>How Python's <c>json.loads</c> behaviour is matched, and where it is not:</para>
/// <list type="bullet">
/// <item>A duplicated key (top level or inside <c>auth_data</c>) keeps its last value.</item>
/// <item>The body must be valid UTF-8, without a BOM, as aiohttp's <c>request.json()</c> requires.</item>
/// <item><c>NaN</c>, <c>Infinity</c> and <c>-Infinity</c> literals, which Python accepts, are not JSON and
/// System.Text.Json rejects them, so such a body is answered as invalid JSON. No real client sends them.</item>
/// <item>Nesting is limited to <see cref="MaxDepth"/> levels (Python's limit is its recursion limit, about 1000).</item>
/// <item>The payload may be any JSON value. The SDK's generic handler requires an object (422
/// <c>{"payload": {"data": "payload must be a dictionary"}}</c>); the claudius universal worker forwards any value.
/// Vespa is a universal proxy, so it forwards any kind and exposes <see cref="EnvelopeParseResult.PayloadKind"/> for a
/// caller that wants the SDK's check.</item>
/// <item>A body that is JSON but not an object gets <c>auth_data</c> and <c>payload</c> "field missing" errors, which
/// is what Python's <c>"auth_data" in body</c> test yields for a list (for a number Python fails with a 500).</item>
/// </list>
/// </remarks>
public static class EnvelopeParser
{
    /// <summary>The deepest nesting accepted in a body.</summary>
    public const int MaxDepth = 1000;

    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = MaxDepth };

    /// <summary>Parses <paramref name="body"/>. Never throws for bad input; see <see cref="EnvelopeParseResult"/>.</summary>
    public static EnvelopeParseResult Parse(ReadOnlyMemory<byte> body)
    {
        var span = body.Span;
        if (span.IsEmpty || !Utf8.IsValid(span))
        {
            return Invalid(body);
        }

        Range? authRange = null;
        Range? sessionRange = null;
        Range? payloadRange = null;
        bool isObject;
        try
        {
            var reader = new Utf8JsonReader(span, ReaderOptions);
            reader.Read();
            isObject = reader.TokenType == JsonTokenType.StartObject;
            if (isObject)
            {
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var isAuth = reader.ValueTextEquals("auth_data"u8);
                    var isSession = !isAuth && reader.ValueTextEquals("session_id"u8);
                    var isPayload = !isAuth && !isSession && reader.ValueTextEquals("payload"u8);
                    reader.Read();
                    var start = (int)reader.TokenStartIndex;
                    reader.Skip();
                    var range = new Range(start, (int)reader.BytesConsumed);

                    // Last occurrence wins, as in a Python dict.
                    if (isAuth)
                    {
                        authRange = range;
                    }
                    else if (isSession)
                    {
                        sessionRange = range;
                    }
                    else if (isPayload)
                    {
                        payloadRange = range;
                    }
                }
            }
            else
            {
                reader.Skip();
            }

            // Anything after the top-level value (other than whitespace) makes the reader throw here.
            if (reader.Read())
            {
                return Invalid(body);
            }
        }
        catch (JsonException)
        {
            return Invalid(body);
        }

        if (!isObject)
        {
            var missing = new Dictionary<string, object>(StringComparer.Ordinal)
            {
                ["auth_data"] = EnvelopeParseResult.FieldMissing,
                ["payload"] = EnvelopeParseResult.FieldMissing,
            };
            return new EnvelopeParseResult(true, false, false, null, null, body, null, missing);
        }

        // No error map unless there is an error: a valid envelope allocates only what it keeps.
        Dictionary<string, object>? errors = null;
        AuthData? authData = null;
        if (authRange is { } auth)
        {
            // ParseValue copies the bytes into a document of their own, so the fields outlive the request buffer
            // without another copy.
            var element = ParseValue(span[auth]);
            if (!AuthData.TryFromOwnedJson(element, out authData, out var authErrors))
            {
                errors = new Dictionary<string, object>(StringComparer.Ordinal)
                {
                    ["auth_data"] = authErrors!.TryGetValue("auth_data", out var notObject)
                        ? notObject
                        : (IReadOnlyDictionary<string, string>)authErrors,
                };
            }
        }
        else
        {
            errors = new Dictionary<string, object>(StringComparer.Ordinal) { ["auth_data"] = EnvelopeParseResult.FieldMissing };
        }

        if (payloadRange is null)
        {
            (errors ??= new Dictionary<string, object>(StringComparer.Ordinal))["payload"] = EnvelopeParseResult.FieldMissing;
        }

        JsonElement? sessionId = sessionRange is { } session ? ParseValue(span[session]) : null;
        return new EnvelopeParseResult(true, true, authRange is not null, authData, payloadRange, body, sessionId, errors);
    }

    private static EnvelopeParseResult Invalid(ReadOnlyMemory<byte> body) =>
        new(false, false, false, null, null, body, null, null);

    // The element owns a copy of its bytes, so it outlives the request buffer.
    private static JsonElement ParseValue(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, ReaderOptions);
        return JsonElement.ParseValue(ref reader);
    }
}
