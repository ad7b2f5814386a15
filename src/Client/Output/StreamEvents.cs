using System.Text.Json;

namespace Vespa.Client.Output;

/// <summary>What a streamed event shows: the token of an OpenAI chunk, or the event's data as it is.</summary>
internal static class StreamEvents
{
    /// <summary>The text of an OpenAI-style chunk: <c>choices[0].delta.content</c> (chat) or <c>choices[0].text</c>
    /// (completions). <c>""</c> for a chunk without text (role announcement, finish, usage); <c>null</c> when the data
    /// is not such a chunk.</summary>
    public static string? OpenAiToken(string data)
    {
        if (data.Length == 0 || data[0] != '{')
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(data);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("choices", out var choices) || choices.ValueKind != JsonValueKind.Array)
            {
                return null;
            }

            if (choices.GetArrayLength() == 0)
            {
                return "";
            }

            var first = choices[0];
            if (first.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            if (first.TryGetProperty("delta", out var delta) && delta.ValueKind == JsonValueKind.Object)
            {
                return delta.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String ? content.GetString() : "";
            }

            if (first.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String)
            {
                return text.GetString();
            }

            return "";
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
