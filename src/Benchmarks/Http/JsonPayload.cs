using System.Buffers;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Vespa.Benchmarks.Http;

/// <summary>Request bodies written with <see cref="Utf8JsonWriter"/> (no reflection) and sent as JSON.</summary>
internal static class JsonPayload
{
    private static readonly MediaTypeHeaderValue JsonMediaType = new("application/json");

    public static byte[] Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>A fresh content per request: an <see cref="HttpContent"/> is disposed with its message.</summary>
    public static HttpContent Content(byte[] json)
    {
        var content = new ByteArrayContent(json);
        content.Headers.ContentType = JsonMediaType;
        return content;
    }
}
