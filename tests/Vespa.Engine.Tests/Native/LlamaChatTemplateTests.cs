using Vespa.Engine.Native;

namespace Vespa.Engine.Tests.Native;

/// <summary>Built-in chat templates of the real library; the vectors are llama-native.md §7's.</summary>
[Collection(LlamaRuntimeGroup.Name)]
public sealed class LlamaChatTemplateTests
{
    private static readonly (string Role, string Content)[] Chat =
    [
        ("system", "Be brief."), ("user", "Hi!"), ("assistant", "Hello."), ("user", "2+2?"),
    ];

    public LlamaChatTemplateTests() => NativeTestLibraries.Initialize();

    [Fact]
    public void BuiltinChatTemplates_Lists54NamesIncludingTheTestedOnes()
    {
        var names = LlamaModel.BuiltinChatTemplates;

        Assert.Equal(54, names.Count);
        Assert.Contains("chatml", names);
        Assert.Contains("llama3", names);
        Assert.Contains("gemma", names);
        Assert.Contains("mistral-v7", names);
    }

    [Theory]
    [InlineData("chatml", "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi!<|im_end|>\n<|im_start|>assistant\nHello.<|im_end|>\n<|im_start|>user\n2+2?<|im_end|>\n<|im_start|>assistant\n")]
    [InlineData("llama3", "<|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nHi!<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\nHello.<|eot_id|><|start_header_id|>user<|end_header_id|>\n\n2+2?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n")]
    [InlineData("gemma", "<start_of_turn>user\nBe brief.\n\nHi!<end_of_turn>\n<start_of_turn>model\nHello.<end_of_turn>\n<start_of_turn>user\n2+2?<end_of_turn>\n<start_of_turn>model\n")]
    [InlineData("mistral-v7", "[SYSTEM_PROMPT] Be brief.[/SYSTEM_PROMPT][INST] Hi![/INST] Hello.</s>[INST] 2+2?[/INST]")]
    public void ApplyBuiltinChatTemplate_MatchesTheVerifiedVectors(string template, string expected)
    {
        Assert.Equal(expected, LlamaModel.ApplyBuiltinChatTemplate(template, Chat, addAssistant: true));
    }

    [Fact]
    public void ApplyBuiltinChatTemplate_LongOutput_GrowsTheBuffer()
    {
        var content = string.Concat(Enumerable.Repeat("ünïcödé ", 5000));

        var text = LlamaModel.ApplyBuiltinChatTemplate("chatml", [("user", content)], addAssistant: false);

        Assert.Equal($"<|im_start|>user\n{content}<|im_end|>\n", text);
    }

    [Fact]
    public void ApplyBuiltinChatTemplate_JinjaStringIsDetected()
    {
        const string Jinja = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}";

        var text = LlamaModel.ApplyBuiltinChatTemplate(Jinja, [("user", "Hi!")], addAssistant: true);

        Assert.Equal("<|im_start|>user\nHi!<|im_end|>\n<|im_start|>assistant\n", text);
    }

    [Fact]
    public void ApplyBuiltinChatTemplate_UnknownTemplate_Throws()
    {
        var ex = Assert.Throws<NotSupportedException>(() => LlamaModel.ApplyBuiltinChatTemplate("no-such-template", Chat, addAssistant: true));

        Assert.Contains("no-such-template", ex.Message, StringComparison.Ordinal);
    }
}
