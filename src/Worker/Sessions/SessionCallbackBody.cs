using System.Buffers;
using System.Text.Json;

namespace Vespa.Worker.Sessions;

/// <summary>
/// The body of a session's close callback (vast-protocol.md §4.4): an object payload is sent as it
/// is, with <c>session_id</c> added only when it has none (the SDK's <c>dict.setdefault</c>: a
/// caller's own <c>session_id</c>, even null, is kept); any other payload is wrapped as
/// <c>{"payload": x, "session_id": id}</c>; no payload is <c>{"session_id": id}</c>.
/// </summary>
internal static class SessionCallbackBody
{
    public static byte[] Build(string sessionId, string? payloadJson)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            var hasOwnId = false;
            if (payloadJson is not null)
            {
                using var payload = JsonDocument.Parse(payloadJson);
                if (payload.RootElement.ValueKind == JsonValueKind.Object)
                {
                    foreach (var property in payload.RootElement.EnumerateObject())
                    {
                        hasOwnId |= property.NameEquals("session_id");
                        property.WriteTo(json);
                    }
                }
                else if (payload.RootElement.ValueKind != JsonValueKind.Null)
                {
                    json.WritePropertyName("payload");
                    payload.RootElement.WriteTo(json);
                }
            }

            if (!hasOwnId)
            {
                json.WriteString("session_id", sessionId);
            }

            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
