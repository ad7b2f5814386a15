using System.Text.Json;
using Vespa.Core.Json;

namespace Vespa.Core.Tests.Json;

public sealed class JsonTextTests
{
    [Fact]
    public void GetString_EscapedString_Decodes()
    {
        using var document = JsonDocument.Parse("\"a\\n\\u00e9\\/\\ud83d\\ude00\"");

        Assert.Equal("a\n\u00e9/\U0001F600", JsonText.GetString(document.RootElement));
    }

    [Fact]
    public void GetString_LoneSurrogate_KeepsIt()
    {
        using var document = JsonDocument.Parse("\"\\udc00\"");

        Assert.Equal(new string('\udc00', 1), JsonText.GetString(document.RootElement));
    }

    [Fact]
    public void GetString_NotAString_Throws()
    {
        using var document = JsonDocument.Parse("1");

        Assert.Throws<InvalidOperationException>(() => JsonText.GetString(document.RootElement));
    }
}
