using System.Text;
using System.Text.Json;
using Vespa.Engine.Native;

namespace Vespa.Engine.Api;

/// <summary>
/// Reads and validates an OpenAI request body. Every mistake names the offending parameter
/// (OpenAI's <c>param</c>), so clients see what to fix. Unknown fields are ignored, as OpenAI
/// does. Sampling defaults are llama.cpp server's (temperature 0.8, top_k 40, top_p 0.95, min_p 0.05).
/// </summary>
internal static class CompletionRequestParser
{
    private static readonly string[] Roles = ["system", "developer", "user", "assistant", "tool"];

    public static (CompletionRequest? Request, OpenAiError? Error) Parse(ReadOnlySpan<byte> body, bool chat)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body.ToArray());
        }
        catch (JsonException ex)
        {
            return (null, new OpenAiError(400, "The request body is not valid JSON: " + ex.Message));
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return (null, new OpenAiError(400, "The request body must be a JSON object."));
            }

            try
            {
                return (Read(root, chat), null);
            }
            catch (RequestValidationException ex)
            {
                return (null, OpenAiError.Invalid(ex.Param, ex.Message));
            }
        }
    }

    private static CompletionRequest Read(JsonElement root, bool chat)
    {
        var n = Int(root, "n", 1, 1);
        _ = n;
        var maxTokens = Int(root, "max_completion_tokens", 1, int.MaxValue) ?? Int(root, "max_tokens", 1, int.MaxValue);
        var seed = Long(root, "seed");
        var sampling = new LlamaSamplingOptions
        {
            Temperature = Float(root, "temperature", 0, 2) ?? 0.8f,
            TopP = Float(root, "top_p", 0, 1) ?? 0.95f,
            TopK = Int(root, "top_k", 0, 100_000) ?? 40,
            MinP = Float(root, "min_p", 0, 1) ?? 0.05f,
            PresencePenalty = Float(root, "presence_penalty", -2, 2) ?? 0f,
            FrequencyPenalty = Float(root, "frequency_penalty", -2, 2) ?? 0f,
            RepeatPenalty = Float(root, "repeat_penalty", 0, 10) ?? 1f,
            Seed = seed is { } s ? unchecked((uint)s) : uint.MaxValue,
        };

        var streamOptions = root.TryGetProperty("stream_options", out var so) && so.ValueKind == JsonValueKind.Object ? so : default;
        return new CompletionRequest
        {
            Messages = chat ? Messages(root) : null,
            Prompt = chat ? null : Prompt(root),
            MaxTokens = maxTokens,
            Sampling = sampling,
            Stop = Stop(root),
            Stream = Bool(root, "stream") ?? false,
            IncludeUsage = streamOptions.ValueKind == JsonValueKind.Object && (Bool(streamOptions, "include_usage") ?? false),
            IgnoreEos = Bool(root, "ignore_eos") ?? false,
        };
    }

    private static List<(string Role, string Content)> Messages(JsonElement root)
    {
        if (!root.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array || messages.GetArrayLength() == 0)
        {
            throw new RequestValidationException("messages", "'messages' must be a non-empty array of {role, content} objects.");
        }

        var result = new List<(string, string)>();
        var index = 0;
        foreach (var message in messages.EnumerateArray())
        {
            var param = $"messages[{index++}]";
            if (message.ValueKind != JsonValueKind.Object)
            {
                throw new RequestValidationException(param, $"'{param}' must be an object.");
            }

            if (!message.TryGetProperty("role", out var role) || role.ValueKind != JsonValueKind.String || !Roles.Contains(role.GetString()))
            {
                throw new RequestValidationException(param + ".role", $"'{param}.role' must be one of {string.Join(", ", Roles)}.");
            }

            result.Add((role.GetString()!, Content(message, param)));
        }

        return result;
    }

    private static string Content(JsonElement message, string param)
    {
        if (!message.TryGetProperty("content", out var content) || content.ValueKind == JsonValueKind.Null)
        {
            return "";
        }

        if (content.ValueKind == JsonValueKind.String)
        {
            return content.GetString()!;
        }

        if (content.ValueKind != JsonValueKind.Array)
        {
            throw new RequestValidationException(param + ".content", $"'{param}.content' must be a string or an array of text parts.");
        }

        var text = new StringBuilder();
        foreach (var part in content.EnumerateArray())
        {
            if (part.ValueKind != JsonValueKind.Object || !part.TryGetProperty("type", out var type) || type.GetString() != "text"
                || !part.TryGetProperty("text", out var partText) || partText.ValueKind != JsonValueKind.String)
            {
                throw new RequestValidationException(param + ".content", $"'{param}.content' parts must be {{\"type\": \"text\", \"text\": \"...\"}}: this model takes text only.");
            }

            text.Append(partText.GetString());
        }

        return text.ToString();
    }

    private static string Prompt(JsonElement root)
    {
        if (!root.TryGetProperty("prompt", out var prompt))
        {
            throw new RequestValidationException("prompt", "'prompt' is required.");
        }

        if (prompt.ValueKind == JsonValueKind.String)
        {
            return prompt.GetString()!;
        }

        if (prompt.ValueKind == JsonValueKind.Array && prompt.GetArrayLength() == 1 && prompt[0].ValueKind == JsonValueKind.String)
        {
            return prompt[0].GetString()!;
        }

        throw new RequestValidationException("prompt", "'prompt' must be a string (or an array with one string).");
    }

    private static List<string> Stop(JsonElement root)
    {
        if (!root.TryGetProperty("stop", out var stop) || stop.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (stop.ValueKind == JsonValueKind.String)
        {
            return stop.GetString() is { Length: > 0 } one ? [one] : throw new RequestValidationException("stop", "'stop' strings must not be empty.");
        }

        if (stop.ValueKind != JsonValueKind.Array || stop.GetArrayLength() > 4)
        {
            throw new RequestValidationException("stop", "'stop' must be a string or an array of up to 4 strings.");
        }

        var result = new List<string>();
        foreach (var item in stop.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String || item.GetString() is not { Length: > 0 } value)
            {
                throw new RequestValidationException("stop", "'stop' must contain non-empty strings only.");
            }

            result.Add(value);
        }

        return result;
    }

    private static float? Float(JsonElement root, string name, float min, float max)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var number) || number < min || number > max)
        {
            throw new RequestValidationException(name, $"'{name}' must be a number from {min} to {max}.");
        }

        return (float)number;
    }

    private static int? Int(JsonElement root, string name, int min, int max)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var number) || number < min || number > max)
        {
            throw new RequestValidationException(name, max == min ? $"'{name}' must be {min}: this server returns one choice." : $"'{name}' must be an integer from {min} to {max}.");
        }

        return number;
    }

    private static long? Long(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number)
            ? number
            : throw new RequestValidationException(name, $"'{name}' must be an integer.");
    }

    private static bool? Bool(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new RequestValidationException(name, $"'{name}' must be true or false."),
        };
    }
}
