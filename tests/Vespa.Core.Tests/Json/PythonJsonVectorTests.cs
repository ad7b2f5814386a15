using System.Text;
using System.Text.Json;
using Vespa.Core.Json;
using Vespa.Core.Tests.Vectors;

namespace Vespa.Core.Tests.Json;

/// <summary>Byte equality with what CPython's json module printed (Vectors/generate_canonical_json.py).</summary>
public sealed class PythonJsonVectorTests
{
    private static readonly JsonDocumentOptions DeepOptions = new() { MaxDepth = 1000 };

    public static TheoryData<int> VectorIndexes()
    {
        using var vectors = VectorFiles.Load("canonical_json.json");
        var data = new TheoryData<int>();
        for (var i = 0; i < vectors.RootElement.GetArrayLength(); i++)
        {
            data.Add(i);
        }

        return data;
    }

    [Fact]
    public void VectorFile_Loaded_HoldsHundredsOfVectors()
    {
        using var vectors = VectorFiles.Load("canonical_json.json");

        Assert.True(vectors.RootElement.GetArrayLength() > 500);
    }

    [Theory]
    [MemberData(nameof(VectorIndexes))]
    public void Serialize_PythonVector_MatchesJsonDumpsByteForByte(int index)
    {
        using var vectors = VectorFiles.Load("canonical_json.json");
        var vector = vectors.RootElement[index];
        var input = vector.GetProperty("input").GetString()!;
        var expected = vector.GetProperty("expected").GetString()!;

        using var document = JsonDocument.Parse(Encoding.UTF8.GetBytes(input), DeepOptions);
        var actual = PythonJson.Serialize(document.RootElement);

        Assert.Equal(expected, actual);
    }

    [Fact]
    public void SerializeToUtf8Bytes_AllVectors_EqualAsciiOfExpected()
    {
        using var vectors = VectorFiles.Load("canonical_json.json");
        foreach (var vector in vectors.RootElement.EnumerateArray())
        {
            using var document = JsonDocument.Parse(Encoding.UTF8.GetBytes(vector.GetProperty("input").GetString()!));
            var expected = Encoding.ASCII.GetBytes(vector.GetProperty("expected").GetString()!);

            Assert.Equal(expected, PythonJson.SerializeToUtf8Bytes(document.RootElement));
        }
    }
}
