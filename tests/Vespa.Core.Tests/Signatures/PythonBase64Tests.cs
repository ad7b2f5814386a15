using Vespa.Core.Signatures;
using Vespa.Core.Tests.Vectors;

namespace Vespa.Core.Tests.Signatures;

public sealed class PythonBase64Tests
{
    [Fact]
    public void TryDecode_PythonVectors_MatchBase64B64decode()
    {
        using var vectors = VectorFiles.Load("base64.json");
        Assert.True(vectors.RootElement.GetArrayLength() > 300);

        foreach (var vector in vectors.RootElement.EnumerateArray())
        {
            var input = vector.GetProperty("input").GetString()!;
            var ok = vector.GetProperty("ok").GetBoolean();

            var decoded = PythonBase64.TryDecode(input, out var bytes);

            Assert.True(ok == decoded, $"input {input!.Replace("\n", "\\n", StringComparison.Ordinal)}: Python ok={ok}, ours={decoded}");
            if (ok)
            {
                Assert.Equal(vector.GetProperty("hex").GetString(), Convert.ToHexStringLower(bytes));
            }
        }
    }

    [Theory]
    [InlineData("QUJDRA==", "41424344")]
    [InlineData("QUJD RA==", "41424344")]
    [InlineData("QUJD\nRA==\n", "41424344")]
    [InlineData("QUJDRA==garbage", "41424344")]
    [InlineData("QUJ-DRA==", "41424344")]
    [InlineData("QQ=a=", "4106")]
    [InlineData("", "")]
    [InlineData("====", "")]
    public void TryDecode_LenientInput_DecodesLikePython(string input, string expectedHex)
    {
        Assert.True(PythonBase64.TryDecode(input, out var bytes));
        Assert.Equal(expectedHex, Convert.ToHexStringLower(bytes));
    }

    [Theory]
    [InlineData("QUJDRA")]
    [InlineData("QUJDRA=")]
    [InlineData("Q")]
    [InlineData("A===")]
    [InlineData("AAAAA")]
    [InlineData("QUJDRA==\u00e9")]
    [InlineData("\u00e9QUJDRA==")]
    [InlineData(null)]
    public void TryDecode_InvalidInput_Fails(string? input)
    {
        Assert.False(PythonBase64.TryDecode(input, out var bytes));
        Assert.Empty(bytes);
    }

    [Fact]
    public void TryDecode_LongInput_UsesHeapBufferCorrectly()
    {
        var data = Enumerable.Range(0, 5000).Select(i => (byte)i).ToArray();
        var text = Convert.ToBase64String(data, Base64FormattingOptions.InsertLineBreaks);

        Assert.True(PythonBase64.TryDecode(text, out var bytes));
        Assert.Equal(data, bytes);
    }
}
