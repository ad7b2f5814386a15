using System.Text.Json;
using Vespa.Engine.Scheduling;

namespace Vespa.Engine.Api;

/// <summary>Writes OpenAI response objects and stream chunks with <see cref="Utf8JsonWriter"/>.</summary>
internal static class OpenAiResponses
{
    public static string FinishReasonName(FinishReason reason) => reason == FinishReason.Length ? "length" : "stop";

    /// <summary>A complete (non-streamed) answer.</summary>
    public static void WriteCompletion(Utf8JsonWriter json, bool chat, string id, long created, string model, string text, FinishReason finish, int promptTokens, int completionTokens)
    {
        json.WriteStartObject();
        WriteHeader(json, chat ? "chat.completion" : "text_completion", id, created, model);
        json.WriteStartArray("choices");
        json.WriteStartObject();
        json.WriteNumber("index", 0);
        if (chat)
        {
            json.WriteStartObject("message");
            json.WriteString("role", "assistant");
            json.WriteString("content", text);
            json.WriteEndObject();
        }
        else
        {
            json.WriteString("text", text);
            json.WriteNull("logprobs");
        }

        json.WriteString("finish_reason", FinishReasonName(finish));
        json.WriteEndObject();
        json.WriteEndArray();
        WriteUsage(json, promptTokens, completionTokens);
        json.WriteEndObject();
    }

    /// <summary>One stream chunk: a text delta, the first chunk (role only), or the last (finish reason).</summary>
    public static void WriteChunk(Utf8JsonWriter json, bool chat, string id, long created, string model, string? text, bool first, FinishReason? finish)
    {
        json.WriteStartObject();
        WriteHeader(json, chat ? "chat.completion.chunk" : "text_completion", id, created, model);
        json.WriteStartArray("choices");
        json.WriteStartObject();
        json.WriteNumber("index", 0);
        if (chat)
        {
            json.WriteStartObject("delta");
            if (first)
            {
                json.WriteString("role", "assistant");
            }

            if (text is not null)
            {
                json.WriteString("content", text);
            }

            json.WriteEndObject();
        }
        else
        {
            json.WriteString("text", text ?? "");
            json.WriteNull("logprobs");
        }

        if (finish is { } reason)
        {
            json.WriteString("finish_reason", FinishReasonName(reason));
        }
        else
        {
            json.WriteNull("finish_reason");
        }

        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>The final usage chunk of <c>stream_options.include_usage</c> (empty choices).</summary>
    public static void WriteUsageChunk(Utf8JsonWriter json, bool chat, string id, long created, string model, int promptTokens, int completionTokens)
    {
        json.WriteStartObject();
        WriteHeader(json, chat ? "chat.completion.chunk" : "text_completion", id, created, model);
        json.WriteStartArray("choices");
        json.WriteEndArray();
        WriteUsage(json, promptTokens, completionTokens);
        json.WriteEndObject();
    }

    private static void WriteHeader(Utf8JsonWriter json, string kind, string id, long created, string model)
    {
        json.WriteString("id", id);
        json.WriteString("object", kind);
        json.WriteNumber("created", created);
        json.WriteString("model", model);
    }

    private static void WriteUsage(Utf8JsonWriter json, int promptTokens, int completionTokens)
    {
        json.WriteStartObject("usage");
        json.WriteNumber("prompt_tokens", promptTokens);
        json.WriteNumber("completion_tokens", completionTokens);
        json.WriteNumber("total_tokens", promptTokens + completionTokens);
        json.WriteEndObject();
    }
}
