using System.Text;
using Vespa.Client.Requests;

namespace Vespa.Client.Tests.Requests;

/// <summary>The JSON check and the <c>"stream": true</c> insertion (issue 11 item 12), byte for byte.</summary>
public sealed class JsonBodyTests
{
    [Theory]
    [InlineData("{}")]
    [InlineData(" [1, 2] \n")]
    [InlineData("\"text\"")]
    [InlineData("{\"a\": {\"b\": [true, null, 1.5e3]}}")]
    public void Problem_ValidJson_None(string json) => Assert.Null(JsonBody.Problem(Encoding.UTF8.GetBytes(json)));

    [Theory]
    [InlineData("{\"a\": 1} {\"b\": 2}", "(line 1, column 10)")]
    [InlineData("{\"a\": 1,\n \"b\" 2}", "(line 2, column 6)")]
    [InlineData("[1, 2", "(line 1, column 6)")]
    [InlineData("{'a': 1}", "(line 1, column 2)")]
    public void Problem_InvalidJson_WithPosition(string json, string position)
    {
        var problem = JsonBody.Problem(Encoding.UTF8.GetBytes(json));

        Assert.NotNull(problem);
        Assert.EndsWith(position, problem, StringComparison.Ordinal);
        Assert.DoesNotContain("LineNumber", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{}", "{\"stream\": true}")]
    [InlineData("{ }", "{\"stream\": true }")]
    [InlineData("{\"a\": 1}", "{\"a\": 1, \"stream\": true}")]
    [InlineData("{\n  \"a\": 1\n}\n", "{\n  \"a\": 1, \"stream\": true\n}\n")]
    public void WithStreamTrue_InsertedBeforeTheClosingBrace(string body, string expected)
    {
        var (result, note) = JsonBody.WithStreamTrue(Encoding.UTF8.GetBytes(body));

        Assert.Equal(expected, Encoding.UTF8.GetString(result));
        Assert.NotNull(note);
    }

    [Theory]
    [InlineData("[1]")]
    [InlineData("\"s\"")]
    [InlineData("{\"stream\": true}")]
    public void WithStreamTrue_NotAnObjectOrAlreadyTrue_Unchanged(string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);

        var (result, note) = JsonBody.WithStreamTrue(bytes);

        Assert.Same(bytes, result);
        Assert.Null(note);
    }
}
