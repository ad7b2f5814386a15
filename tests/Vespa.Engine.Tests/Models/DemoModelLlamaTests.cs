using System.Text;
using Vespa.Engine.Models;
using Vespa.Engine.Native;
using Vespa.Engine.Tests.Models.Support;
using LlamaRuntimeGroup = Vespa.Engine.Tests.Native.LlamaRuntimeGroup;
using NativeTestLibraries = Vespa.Engine.Tests.Native.NativeTestLibraries;

namespace Vespa.Engine.Tests.Models;

/// <summary>The generated models as the real llama.cpp v0.5.0 sees them (needs the native libraries the build fetches).</summary>
[Collection(LlamaRuntimeGroup.Name)]
public sealed class DemoModelLlamaTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public DemoModelLlamaTests() => NativeTestLibraries.Initialize();

    public void Dispose() => _directory.Dispose();

    public static TheoryData<string> Variants => ["tiny", "f16", "gqa", "no-output"];

    [Theory]
    [MemberData(nameof(Variants))]
    public void Variant_LoadsWithTheWrittenHyperParametersAndVocabulary(string variant)
    {
        var options = variant switch
        {
            "f16" => DemoModelOptions.Tiny with { F16 = true },
            "gqa" => DemoModelOptions.Tiny with { KvHeadCount = 2 },
            "no-output" => DemoModelOptions.Tiny with { OmitOutputTensor = true },
            _ => DemoModelOptions.Tiny,
        };

        using var model = LlamaModel.Load(Generate(options));

        Assert.Equal(64, model.EmbeddingLength);
        Assert.Equal(2, model.LayerCount);
        Assert.Equal(256, model.TrainContextLength);
        Assert.Equal(840, model.Vocab.NTokens);
        Assert.Equal(DemoVocabulary.BosTokenId, model.Vocab.Bos);
        Assert.Equal(DemoVocabulary.EosTokenId, model.Vocab.Eos);
        Assert.True(model.Vocab.AddBos);
        Assert.Equal("chatml", model.ChatTemplate);
        if (!options.OmitOutputTensor)
        {
            Assert.Equal((ulong)DemoModel.CountParameters(options), model.ParameterCount);
        }
    }

    [Theory]
    [InlineData("hello world")]
    [InlineData("Line one\nline two\ttabbed")]
    [InlineData("Café, naïve ñ — 😀 漢字")]
    public void Tokenizer_RoundTripsTextThroughPiecesAndByteTokens(string text)
    {
        using var model = LlamaModel.Load(Generate(DemoModelOptions.Tiny));

        var tokens = model.Vocab.Tokenize(text, addSpecial: false, parseSpecial: false);
        var withBos = model.Vocab.Tokenize(text, addSpecial: true, parseSpecial: false);

        // SPM prefixes a space (▁) that detokenizing drops again; BOS comes only when asked for.
        Assert.Equal(text, model.Vocab.Detokenize(tokens));
        Assert.Equal([DemoVocabulary.BosTokenId, .. tokens], withBos);
        Assert.DoesNotContain(DemoVocabulary.UnknownTokenId, tokens);
    }

    [Fact]
    public void Tokenizer_ParsesTheChatmlControlTokens()
    {
        using var model = LlamaModel.Load(Generate(DemoModelOptions.Tiny));
        var vocabulary = DemoVocabulary.Default;

        var tokens = model.Vocab.Tokenize("<|im_start|>user\nHi!<|im_end|>", addSpecial: false, parseSpecial: true);

        Assert.Equal(vocabulary.IdOf(DemoVocabulary.ImStart), tokens[0]);
        Assert.Equal(vocabulary.IdOf(DemoVocabulary.ImEnd), tokens[^1]);
        Assert.True(model.Vocab.IsControl(tokens[0]));
        Assert.True(model.Vocab.IsControl(tokens[^1]));
    }

    [Fact]
    public void EveryPieceTheModelMayEmit_IsNonEmptyValidUtf8()
    {
        using var model = LlamaModel.Load(Generate(DemoModelOptions.Tiny));
        var vocabulary = DemoVocabulary.Default;
        var strict = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

        for (var id = 0; id < vocabulary.Count; id++)
        {
            if (!vocabulary.Generated[id] || model.Vocab.IsEog(id))
            {
                continue;
            }

            // As llama.cpp renders it (the ▁ becomes a space): a whole word or a punctuation mark.
            var piece = model.Vocab.TokenToPiece(id);
            Assert.NotEmpty(piece);
            var text = strict.GetString(piece);
            Assert.Matches(@"^( [A-Za-z]+|[.,!?])$", text);
        }
    }

    [Fact]
    public void MandatoryKeyOmitted_FailsToLoadWithAnError()
    {
        var path = Generate(DemoModelOptions.Tiny with { OmitKeys = ["llama.block_count"] });

        var error = Assert.Throws<InvalidOperationException>(() => LlamaModel.Load(path));

        Assert.Contains("block_count", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OptionalKeysOmitted_StillLoad()
    {
        var options = DemoModelOptions.Tiny with
        {
            OmitKeys = ["general.name", "general.file_type", "llama.vocab_size", "llama.rope.freq_base", "tokenizer.chat_template"],
        };

        using var model = LlamaModel.Load(Generate(options));

        Assert.Equal(840, model.Vocab.NTokens);
        Assert.Null(model.ChatTemplate);
    }

    private string Generate(DemoModelOptions options)
    {
        var path = _directory.Combine(DemoModel.GetFileName(options));
        DemoModel.Generate(path, options);
        return path;
    }
}
