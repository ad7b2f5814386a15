using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Vespa.Client.Output;

/// <summary>Machine-readable output (<c>--json</c>): compact, one document per line, written with
/// <see cref="Utf8JsonWriter"/> (no reflection). Only what JSON requires is escaped, so text stays readable.</summary>
internal static class JsonOutput
{
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly JsonWriterOptions IndentedOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = true };

    public static string Write(Action<Utf8JsonWriter> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, Options))
        {
            write(writer);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary><paramref name="json"/> indented (two spaces) when it is one JSON document; numbers, key order and
    /// duplicate keys as they were. Control characters inside strings stay escaped.</summary>
    public static bool TryIndent(ReadOnlySpan<byte> json, out string indented)
    {
        indented = "";
        try
        {
            using var document = JsonDocument.Parse(json.ToArray());
            var buffer = new ArrayBufferWriter<byte>(json.Length * 2 + 16);
            using (var writer = new Utf8JsonWriter(buffer, IndentedOptions))
            {
                document.RootElement.WriteTo(writer);
            }

            indented = Encoding.UTF8.GetString(buffer.WrittenSpan);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary><paramref name="data"/> as one compact JSON line: itself when it is JSON, otherwise a JSON string.</summary>
    public static string Line(string data)
    {
        try
        {
            using var document = JsonDocument.Parse(data);
            return Write(document.RootElement.WriteTo);
        }
        catch (JsonException)
        {
            return Write(writer => writer.WriteStringValue(data));
        }
    }

    /// <summary>Writes a body under <paramref name="name"/>: parsed JSON when it is JSON, a string when it is UTF-8
    /// text, otherwise base64 under <c>&lt;name&gt;_base64</c>.</summary>
    public static void WriteBody(Utf8JsonWriter writer, string name, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (body.IsEmpty)
        {
            writer.WriteString(name, "");
            return;
        }

        try
        {
            using var document = JsonDocument.Parse(body.ToArray());
            writer.WritePropertyName(name);
            document.RootElement.WriteTo(writer);
            return;
        }
        catch (JsonException)
        {
            // Not JSON: text or bytes.
        }

        try
        {
            var text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(body);
            writer.WriteString(name, text);
        }
        catch (DecoderFallbackException)
        {
            writer.WriteBase64String(name + "_base64", body);
        }
    }
}
