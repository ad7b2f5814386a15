using System.Collections.Frozen;
using System.Globalization;

namespace Vespa.Engine.Models;

/// <summary>
/// The demo model's SentencePiece (SPM) vocabulary, 840 tokens (<c>llama-native.md</c> §5.2):
/// <c>&lt;unk&gt;</c> 0, <c>&lt;s&gt;</c> 1, <c>&lt;/s&gt;</c> 2, the 256 byte tokens <c>&lt;0x00&gt;</c>..<c>&lt;0xFF&gt;</c>
/// (ids 3..258), <c>&lt;|im_start|&gt;</c> and <c>&lt;|im_end|&gt;</c> (control, for the chatml template),
/// <c>▁</c> (U+2581, SentencePiece's space), the printable ASCII characters, common letter bigrams,
/// and common English words with and without a leading <c>▁</c>.
/// </summary>
/// <remarks>
/// <para>
/// The model is built to emit only <see cref="Generated"/> tokens: the <c>▁word</c> tokens, a few
/// punctuation marks and the two end-of-generation tokens, so that every piece it produces is a
/// whole word (valid UTF-8 on its own) and the demo's first answer reads as words. The byte tokens
/// cannot simply be left out: llama.cpp's SPM tokenizer falls back to them for every character
/// the vocabulary lacks (and throws when one is missing), so any prompt text needs them. They,
/// the single characters and bigrams stay in the vocabulary for tokenizing prompts, and
/// <see cref="DemoModel"/> gives them a logit far below every generated token's.
/// </para>
/// <para>
/// Every token string is unique: llama.cpp v0.5.0 does not reject a duplicate, it hits a
/// <c>GGML_ASSERT</c> and aborts the process (§5.4), so the list is de-duplicated as it is built
/// and the constructor refuses duplicates outright.
/// </para>
/// </remarks>
public sealed class DemoVocabulary
{
    /// <summary>SentencePiece's visible space, which starts word tokens.</summary>
    public const string SpaceMarker = "\u2581";

    public const int UnknownTokenId = 0;
    public const int BosTokenId = 1;
    public const int EosTokenId = 2;

    /// <summary>The id of <c>&lt;0x00&gt;</c>; byte b is token <c>FirstByteTokenId + b</c>.</summary>
    public const int FirstByteTokenId = 3;

    public const string ImStart = "<|im_start|>";
    public const string ImEnd = "<|im_end|>";

    /// <summary>The punctuation marks the model may emit besides words (each a one-byte piece).</summary>
    private static readonly string[] GeneratedPunctuation = [".", ",", "!", "?"];

    /// <summary>Common letter pairs (without <c>▁</c>).</summary>
    private static readonly string[] Bigrams =
    [
        "th", "he", "in", "er", "an", "re", "on", "at", "en", "nd", "ti", "es", "or", "te", "of", "ed", "is", "it", "al", "ar",
        "st", "to", "nt", "ng", "se", "ha", "as", "ou", "io", "le", "ve", "co", "me", "de", "hi", "ri", "ro", "ic", "ne", "ea",
    ];

    /// <summary>Common English words; each becomes two tokens, <c>word</c> and <c>▁word</c>.</summary>
    private static readonly string[] Words =
    [
        "the", "of", "and", "to", "a", "in", "is", "you", "that", "it", "he", "was", "for", "on", "are", "as", "with", "his",
        "they", "I", "at", "be", "this", "have", "from", "or", "one", "had", "by", "word", "but", "not", "what", "all", "were",
        "we", "when", "your", "can", "said", "there", "use", "an", "each", "which", "she", "do", "how", "their", "if", "will",
        "up", "other", "about", "out", "many", "then", "them", "these", "so", "some", "her", "would", "make", "like", "him",
        "into", "time", "has", "look", "two", "more", "write", "go", "see", "number", "no", "way", "could", "people", "my",
        "than", "first", "water", "been", "call", "who", "its", "now", "find", "long", "down", "day", "did", "get", "come",
        "made", "may", "part", "over", "new", "sound", "take", "only", "little", "work", "know", "place", "year", "live", "me",
        "back", "give", "most", "very", "after", "thing", "our", "just", "name", "good", "man", "think", "say", "great",
        "where", "help", "through", "much", "before", "line", "right", "too", "mean", "old", "any", "same", "tell", "came",
        "want", "show", "also", "around", "form", "three", "small", "set", "put", "end", "does", "another", "well", "large",
        "must", "big", "even", "such", "because", "turn", "here", "why", "ask", "went", "men", "read", "need", "land",
        "different", "home", "us", "move", "try", "hand", "answer", "found", "still", "learn", "should", "world", "high",
        "every", "near", "add", "food", "between", "own", "last", "school", "keep", "never", "start", "city", "eye", "light",
        "thought", "head", "under", "story", "saw", "left", "few", "while", "along", "might", "close", "something", "seem",
        "next", "hard", "open", "example", "begin", "life", "always", "those", "both", "paper", "together", "got", "group",
        "often", "run", "hello", "yes", "please", "thank", "question", "model", "today",
    ];

    private static readonly Lazy<DemoVocabulary> DefaultVocabulary = new(Build);

    private readonly FrozenDictionary<string, int> _ids;

    private DemoVocabulary(IReadOnlyList<string> tokens, IReadOnlyList<float> scores, IReadOnlyList<GgufTokenType> types)
    {
        var ids = new Dictionary<string, int>(tokens.Count, StringComparer.Ordinal);
        for (var i = 0; i < tokens.Count; i++)
        {
            if (!ids.TryAdd(tokens[i], i))
            {
                throw new InvalidOperationException($"Duplicate token '{tokens[i]}' in the demo vocabulary (llama.cpp would abort the process).");
            }
        }

        _ids = ids.ToFrozenDictionary(StringComparer.Ordinal);
        Tokens = tokens;
        Scores = scores;
        Types = types;
        TokenTypeValues = [.. types.Select(t => (int)t)];
        Generated = [.. tokens.Select((token, id) => IsGeneratedToken(token, id))];
    }

    /// <summary>The vocabulary every demo model uses (built once, immutable).</summary>
    public static DemoVocabulary Default => DefaultVocabulary.Value;

    public int Count => Tokens.Count;

    /// <summary>The token strings, by id (<c>tokenizer.ggml.tokens</c>).</summary>
    public IReadOnlyList<string> Tokens { get; }

    /// <summary>SPM merge priorities, by id (<c>tokenizer.ggml.scores</c>): longer pieces score higher, so merges prefer them.</summary>
    public IReadOnlyList<float> Scores { get; }

    /// <summary>Token attributes, by id (<c>tokenizer.ggml.token_type</c>).</summary>
    public IReadOnlyList<GgufTokenType> Types { get; }

    /// <summary><see cref="Types"/> as the i32 values written to the file.</summary>
    public IReadOnlyList<int> TokenTypeValues { get; }

    /// <summary>
    /// By id: whether the demo model may emit the token (see the remarks): the <c>▁word</c> tokens,
    /// <c>. , ! ?</c>, <c>&lt;/s&gt;</c> and <c>&lt;|im_end|&gt;</c>. Every other token gets a logit
    /// far below these in every position.
    /// </summary>
    public IReadOnlyList<bool> Generated { get; }

    /// <summary>The id of <paramref name="token"/>, or -1 when it is not in the vocabulary.</summary>
    public int IdOf(string token) => _ids.TryGetValue(token, out var id) ? id : -1;

    private static bool IsGeneratedToken(string token, int id) =>
        id == EosTokenId
        || token == ImEnd
        || GeneratedPunctuation.Contains(token, StringComparer.Ordinal)
        || (token.Length > SpaceMarker.Length && token.StartsWith(SpaceMarker, StringComparison.Ordinal));

    private static DemoVocabulary Build()
    {
        var tokens = new List<string>();
        var types = new List<GgufTokenType>();
        var seen = new HashSet<string>(StringComparer.Ordinal);

        void Add(string token, GgufTokenType type)
        {
            if (seen.Add(token))
            {
                tokens.Add(token);
                types.Add(type);
            }
        }

        Add("<unk>", GgufTokenType.Unknown);
        Add("<s>", GgufTokenType.Control);
        Add("</s>", GgufTokenType.Control);
        for (var b = 0; b < 256; b++)
        {
            // llama.cpp looks byte tokens up by exactly this spelling ("<0x%02X>").
            Add(string.Create(CultureInfo.InvariantCulture, $"<0x{b:X2}>"), GgufTokenType.Byte);
        }

        Add(ImStart, GgufTokenType.Control);
        Add(ImEnd, GgufTokenType.Control);
        Add(SpaceMarker, GgufTokenType.Normal);
        for (var c = '!'; c <= '~'; c++)
        {
            Add(c.ToString(), GgufTokenType.Normal);
        }

        foreach (var bigram in Bigrams)
        {
            Add(bigram, GgufTokenType.Normal);
        }

        foreach (var word in Words)
        {
            Add(word, GgufTokenType.Normal);
            Add(SpaceMarker + word, GgufTokenType.Normal);
        }

        var scores = new float[tokens.Count];
        for (var id = 0; id < tokens.Count; id++)
        {
            // Special and byte tokens never take part in merges: score 0. Normal pieces score by
            // length, ties broken towards the lower id, like a frequency-ordered SPM model.
            scores[id] = types[id] == GgufTokenType.Normal ? tokens[id].Length - (id / 10_000f) : 0f;
        }

        return new DemoVocabulary(tokens, scores, types);
    }
}
