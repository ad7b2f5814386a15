using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace Vespa.Emulator;

/// <summary>
/// Typed reads of report fields with one error message per problem, naming the field. <c>null</c> values read as
/// absent (the Python workers send <c>None</c> for unset strings); wrong types are errors, so a worker that sends
/// <c>"1.0"</c> for a number or <c>3.5</c> for a count is caught.
/// </summary>
internal static class ReportFieldReader
{
    public static bool TryReadNumber(JsonElement value, string name, ref double target, [NotNullWhen(false)] out string? error)
    {
        error = null;
        switch (value.ValueKind)
        {
            case JsonValueKind.Null:
                return true;
            case JsonValueKind.Number when value.TryGetDouble(out var number) && double.IsFinite(number):
                target = number;
                return true;
            default:
                error = $"field '{name}' must be a number";
                return false;
        }
    }

    public static bool TryReadInteger(JsonElement value, string name, ref long target, [NotNullWhen(false)] out string? error)
    {
        error = null;
        switch (value.ValueKind)
        {
            case JsonValueKind.Null:
                return true;
            case JsonValueKind.Number when value.TryGetInt64(out var number):
                target = number;
                return true;
            default:
                error = $"field '{name}' must be an integer";
                return false;
        }
    }

    public static bool TryReadString(JsonElement value, string name, ref string? target, [NotNullWhen(false)] out string? error)
    {
        error = null;
        switch (value.ValueKind)
        {
            case JsonValueKind.Null:
                return true;
            case JsonValueKind.String:
                target = value.GetString();
                return true;
            default:
                error = $"field '{name}' must be a string";
                return false;
        }
    }

    public static bool TryReadBoolean(JsonElement value, string name, ref bool? target, [NotNullWhen(false)] out string? error)
    {
        error = null;
        switch (value.ValueKind)
        {
            case JsonValueKind.Null:
                return true;
            case JsonValueKind.True:
            case JsonValueKind.False:
                target = value.GetBoolean();
                return true;
            default:
                error = $"field '{name}' must be true or false";
                return false;
        }
    }

    public static bool TryReadIntegerList(JsonElement value, string name, ref IReadOnlyList<long> target, [NotNullWhen(false)] out string? error)
    {
        error = null;
        if (value.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            error = $"field '{name}' must be an array of integers";
            return false;
        }

        var list = new List<long>(value.GetArrayLength());
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out var number))
            {
                error = $"field '{name}' must be an array of integers";
                return false;
            }

            list.Add(number);
        }

        target = list;
        return true;
    }

    /// <summary>Parses <paramref name="json"/> as one JSON object (any key order, extra keys allowed).</summary>
    public static bool TryParseObject(string json, [NotNullWhen(true)] out JsonDocument? document, [NotNullWhen(false)] out string? error)
    {
        document = null;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            error = "invalid JSON: " + e.Message;
            return false;
        }

        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            document = null;
            error = "the body must be a JSON object";
            return false;
        }

        error = null;
        return true;
    }
}
