using System.Text.Json;

namespace Vespa.Worker.Errors;

/// <summary>Writes <see cref="WorkerError"/> as <c>{"error": "...", ...}</c> with the right status.</summary>
internal static class WorkerErrorWriter
{
    public static async Task WriteAsync(HttpContext context, WorkerError error)
    {
        var response = context.Response;
        if (response.HasStarted)
        {
            // Never append an error to a body that is already on its way: the client must see a broken stream.
            context.Abort();
            return;
        }

        response.Clear();
        response.StatusCode = error.StatusCode;
        response.ContentType = "application/json";
        if (error.RetryAfterSeconds is { } retryAfter)
        {
            response.Headers.RetryAfter = retryAfter.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        if (HttpMethods.IsHead(context.Request.Method))
        {
            return;
        }

        using var buffer = new MemoryStream();
        await using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("error", error.Message);
            if (error.Extra is not null)
            {
                foreach (var (key, value) in error.Extra)
                {
                    if (key != "error")
                    {
                        writer.WritePropertyName(key);
                        WriteValue(writer, value);
                    }
                }
            }

            writer.WriteEndObject();
        }

        response.ContentLength = buffer.Length;
        await response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), context.RequestAborted);
    }

    private static void WriteValue(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case string s:
                writer.WriteStringValue(s);
                break;
            case bool b:
                writer.WriteBooleanValue(b);
                break;
            case int i:
                writer.WriteNumberValue(i);
                break;
            case long l:
                writer.WriteNumberValue(l);
                break;
            case double d:
                writer.WriteNumberValue(d);
                break;
            case IEnumerable<KeyValuePair<string, object>> map:
                writer.WriteStartObject();
                foreach (var (k, v) in map)
                {
                    writer.WritePropertyName(k);
                    WriteValue(writer, v);
                }

                writer.WriteEndObject();
                break;
            case IEnumerable<KeyValuePair<string, string>> stringMap:
                writer.WriteStartObject();
                foreach (var (k, v) in stringMap)
                {
                    writer.WriteString(k, v);
                }

                writer.WriteEndObject();
                break;
            case IEnumerable<string> list:
                writer.WriteStartArray();
                foreach (var item in list)
                {
                    writer.WriteStringValue(item);
                }

                writer.WriteEndArray();
                break;
            default:
                writer.WriteStringValue(value.ToString());
                break;
        }
    }
}
