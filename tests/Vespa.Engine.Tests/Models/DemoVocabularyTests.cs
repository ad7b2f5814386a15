using System.Globalization;
using Vespa.Engine.Models;

namespace Vespa.Engine.Tests.Models;

public sealed class DemoVocabularyTests
{
    private static readonly DemoVocabulary Vocabulary = DemoVocabulary.Default;

    [Fact]
    public void Default_Has840UniqueTokens()
    {
        Assert.Equal(840, Vocabulary.Count);
        Assert.Equal(Vocabulary.Count, Vocabulary.Tokens.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(Vocabulary.Count, Vocabulary.Scores.Count);
        Assert.Equal(Vocabulary.Count, Vocabulary.Types.Count);
        Assert.Equal(Vocabulary.Count, Vocabulary.TokenTypeValues.Count);
        Assert.All(Vocabulary.Tokens, t => Assert.False(string.IsNullOrEmpty(t)));
    }

    [Fact]
    public void Generated_AreTheSpacedWordsPunctuationAndEndOfGeneration()
    {
        var generated = Enumerable.Range(0, Vocabulary.Count).Where(id => Vocabulary.Generated[id]).Select(id => Vocabulary.Tokens[id]).ToList();

        Assert.Equal(Vocabulary.Count, Vocabulary.Generated.Count);
        Assert.Contains("</s>", generated);
        Assert.Contains(DemoVocabulary.ImEnd, generated);
        Assert.Contains("▁hello", generated);
        Assert.Contains(".", generated);
        Assert.DoesNotContain("hello", generated);
        Assert.DoesNotContain("th", generated);
        Assert.DoesNotContain("x", generated);
        Assert.DoesNotContain("▁", generated);
        Assert.DoesNotContain(generated, t => t.StartsWith("<0x", StringComparison.Ordinal) || t is "<unk>" or "<s>" or DemoVocabulary.ImStart);
        var words = generated.Where(t => t.StartsWith('▁')).ToList();
        Assert.True(words.Count > 200, $"{words.Count} word tokens");
        Assert.All(words, w => Assert.Matches("^▁[A-Za-z]+$", w));
        Assert.Equal(words.Count + 4 + 2, generated.Count);
    }

    [Fact]
    public void SpecialTokens_HaveTheRequiredIdsAndTypes()
    {
        Assert.Equal("<unk>", Vocabulary.Tokens[DemoVocabulary.UnknownTokenId]);
        Assert.Equal("<s>", Vocabulary.Tokens[DemoVocabulary.BosTokenId]);
        Assert.Equal("</s>", Vocabulary.Tokens[DemoVocabulary.EosTokenId]);
        Assert.Equal(GgufTokenType.Unknown, Vocabulary.Types[0]);
        Assert.Equal(GgufTokenType.Control, Vocabulary.Types[1]);
        Assert.Equal(GgufTokenType.Control, Vocabulary.Types[2]);
        Assert.Equal(GgufTokenType.Control, Vocabulary.Types[Vocabulary.IdOf(DemoVocabulary.ImStart)]);
        Assert.Equal(GgufTokenType.Control, Vocabulary.Types[Vocabulary.IdOf(DemoVocabulary.ImEnd)]);
        Assert.Equal(GgufTokenType.Normal, Vocabulary.Types[Vocabulary.IdOf("▁")]);
    }

    [Fact]
    public void ByteTokens_AreAllPresentInOrderWithTypeByte()
    {
        for (var b = 0; b < 256; b++)
        {
            var id = DemoVocabulary.FirstByteTokenId + b;
            Assert.Equal(string.Create(CultureInfo.InvariantCulture, $"<0x{b:X2}>"), Vocabulary.Tokens[id]);
            Assert.Equal(GgufTokenType.Byte, Vocabulary.Types[id]);
        }

        Assert.Equal(256, Vocabulary.Types.Count(t => t == GgufTokenType.Byte));
        Assert.Equal(6, Vocabulary.TokenTypeValues[DemoVocabulary.FirstByteTokenId]);
    }

    [Fact]
    public void Pieces_IncludeCharactersBigramsAndWordsWithAndWithoutSpaceMarker()
    {
        for (var c = '!'; c <= '~'; c++)
        {
            Assert.True(Vocabulary.IdOf(c.ToString()) > 0, $"character {c}");
        }

        foreach (var piece in new[] { "th", "er", "the", "▁the", "hello", "▁hello", "model", "▁model", "I", "▁I" })
        {
            Assert.True(Vocabulary.IdOf(piece) > 0, piece);
        }

        Assert.Equal(-1, Vocabulary.IdOf("▁▁"));
        Assert.True(Vocabulary.Tokens.Count(t => t.StartsWith('▁') && t.Length > 1) > 200);
    }

    [Fact]
    public void Scores_SpecialTokensZero_LongerPiecesHigher()
    {
        Assert.Equal(0f, Vocabulary.Scores[DemoVocabulary.UnknownTokenId]);
        Assert.Equal(0f, Vocabulary.Scores[DemoVocabulary.FirstByteTokenId + 65]);
        Assert.True(Vocabulary.Scores[Vocabulary.IdOf("▁hello")] > Vocabulary.Scores[Vocabulary.IdOf("he")]);
        Assert.True(Vocabulary.Scores[Vocabulary.IdOf("he")] > Vocabulary.Scores[Vocabulary.IdOf("h")]);
        var normal = Vocabulary.Scores.Where((_, id) => Vocabulary.Types[id] == GgufTokenType.Normal).ToList();
        Assert.Equal(normal.Count, normal.Distinct().Count());
    }
}
