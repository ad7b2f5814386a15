using System.Text.Json;

namespace Vespa.Core.Tests.Vectors;

/// <summary>Loads the committed vector files copied next to the test assembly.</summary>
internal static class VectorFiles
{
    public static JsonDocument Load(string fileName)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Vectors", fileName);
        return JsonDocument.Parse(File.ReadAllBytes(path));
    }
}
