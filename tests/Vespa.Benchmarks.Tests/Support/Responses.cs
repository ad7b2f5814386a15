using System.Globalization;

namespace Vespa.Benchmarks.Tests.Support;

/// <summary>Canned backend answers.</summary>
internal static class Responses
{
    public static string Chat(int completionTokens) => string.Create(
        CultureInfo.InvariantCulture,
        $$$"""{"id":"c1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"Once upon a time"},"finish_reason":"length"}],"usage":{"prompt_tokens":12,"completion_tokens":{{{completionTokens}}},"total_tokens":{{{completionTokens + 12}}}}}""");

    public const string ChatWithoutUsage = """{"id":"c1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"hi"}}]}""";

    public static string Completion(int completionTokens) => string.Create(
        CultureInfo.InvariantCulture,
        $$$"""{"id":"p1","object":"text_completion","choices":[{"index":0,"text":" and so on","finish_reason":"length"}],"usage":{"prompt_tokens":12,"completion_tokens":{{{completionTokens}}},"total_tokens":{{{completionTokens + 12}}}}}""");

    public const string Models = """{"object":"list","data":[{"id":"first-model","object":"model"},{"id":"second-model","object":"model"}]}""";

    public static string Tgi(int generatedTokens) => string.Create(
        CultureInfo.InvariantCulture,
        $$$"""{"generated_text":"text","details":{"finish_reason":"length","generated_tokens":{{{generatedTokens}}},"seed":null}}""");

    public const string Comfy = """{"id":"vespa-benchmark-1","status":"completed","message":"done","output":[{"local_path":"/out/1.png"}]}""";
}
