using System.Runtime.InteropServices;
using System.Text.Json;

namespace Vespa.Core.Json;

/// <summary>Reads JSON strings the way Python's <c>json.loads</c> does.</summary>
public static class JsonText
{
    /// <summary>
    /// The decoded value of a JSON string element. Unlike <see cref="JsonElement.GetString"/>, a lone surrogate escape
    /// such as <c>"\ud800"</c> is kept as a lone UTF-16 code unit instead of throwing (Python keeps it too).
    /// </summary>
    /// <exception cref="InvalidOperationException">The element is not a string.</exception>
    /// <exception cref="FormatException">The string is not valid UTF-8.</exception>
    public static string GetString(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.String)
        {
            throw new InvalidOperationException($"Expected a JSON string, found {element.ValueKind}.");
        }

        var raw = JsonMarshal.GetRawUtf8Value(element);
        return PythonStringEscaper.DecodeJsonString(raw[1..^1]);
    }
}
