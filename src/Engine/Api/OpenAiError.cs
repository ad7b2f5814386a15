using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Vespa.Engine.Api;

/// <summary>Errors in OpenAI's shape: <c>{"error": {"message", "type", "param", "code"}}</c>.</summary>
internal sealed record OpenAiError(int StatusCode, string Message, string? Param = null, string Type = "invalid_request_error", string? Code = null)
{
    public static OpenAiError Invalid(string param, string message) => new(StatusCodes.Status400BadRequest, message, param);

    public async Task WriteAsync(HttpContext context)
    {
        if (context.Response.HasStarted)
        {
            context.Abort();
            return;
        }

        context.Response.StatusCode = StatusCode;
        context.Response.ContentType = "application/json";
        using var buffer = new MemoryStream();
        await using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartObject("error");
            json.WriteString("message", Message);
            json.WriteString("type", Type);
            WriteNullable(json, "param", Param);
            WriteNullable(json, "code", Code);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        await context.Response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), context.RequestAborted);
    }

    private static void WriteNullable(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }
}
