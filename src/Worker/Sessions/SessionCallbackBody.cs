using System.Buffers;
using System.Text.Json;

namespace Vespa.Worker.Sessions;

/// <summary>The body of a session's close callback (vast-protocol.md §4.4).</summary>
internal static class SessionCallbackBody
{
    public static byte[] Build(string sessionId, string? payloadJson)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (payloadJson is not null)
            {
                using var payload = JsonDocument.Parse(payloadJson);
                if (payload.RootElement.ValueKind == JsonValueKind.Object)
                {
                    foreach (var property in payload.RootElement.EnumerateObject())
                    {
                        if (property.Name != "session_id")
                        {
                            property.WriteTo(json);
                        }
                    }
                }
                else if (payload.RootElement.ValueKind != JsonValueKind.Null)
                {
                    json.WritePropertyName("payload");
                    payload.RootElement.WriteTo(json);
                }
            }

            json.WriteString("session_id", sessionId);
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
