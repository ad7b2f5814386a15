using System.Globalization;
using System.Text;

namespace Vespa.Engine.Models;

/// <summary>
/// The shape of a generated demo model (<see cref="DemoModel"/>). The defaults are the tiny test
/// model of <c>llama-native.md</c> §5.2 (2 layers, n_embd 64, 4 heads, n_ff 128, context 256, F32:
/// 189,760 parameters); <see cref="Medium"/> is the 104M-parameter F16 benchmark model of §9.
/// </summary>
/// <remarks>
/// Two options are equal when they describe the same file: equality and the hash code go by
/// <see cref="Fingerprint"/>, so <see cref="OmitKeys"/> compares by content and order-insensitively.
/// </remarks>
public sealed record DemoModelOptions
{
    /// <summary>The seed of the default model.</summary>
    public const ulong DefaultSeed = 0x5645_5350_4100_0001UL;

    /// <value>The default value is 2.</value>
    public int Layers { get; init; } = 2;

    /// <summary>n_embd (<c>llama.embedding_length</c>).</summary>
    /// <value>The default value is 64.</value>
    public int EmbeddingLength { get; init; } = 64;

    /// <summary>Attention heads (<c>llama.attention.head_count</c>); must divide <see cref="EmbeddingLength"/> into an even head size.</summary>
    /// <value>The default value is 4.</value>
    public int HeadCount { get; init; } = 4;

    /// <summary>Key/value heads (grouped-query attention); null means <see cref="HeadCount"/>. Must divide <see cref="HeadCount"/>.</summary>
    /// <value>The default value is null.</value>
    public int? KvHeadCount { get; init; }

    /// <summary>n_ff (<c>llama.feed_forward_length</c>).</summary>
    /// <value>The default value is 128.</value>
    public int FeedForwardLength { get; init; } = 128;

    /// <summary>The training context (<c>llama.context_length</c>).</summary>
    /// <value>The default value is 256.</value>
    public int ContextLength { get; init; } = 256;

    /// <summary>Store the 2-D weight matrices as F16 (<c>general.file_type</c> 1, MOSTLY_F16); norm vectors stay F32.</summary>
    /// <value>The default value is false.</value>
    public bool F16 { get; init; }

    /// <value>The default value is <see cref="DefaultSeed"/>.</value>
    public ulong Seed { get; init; } = DefaultSeed;

    /// <summary>
    /// Metadata keys to leave out, to reproduce the mandatory-key checks of <c>llama-native.md</c>
    /// §5.4; each must be one of <see cref="DemoModel.MetadataKeys"/>.
    /// </summary>
    /// <value>The default value is empty.</value>
    public IReadOnlyCollection<string> OmitKeys { get; init; } = [];

    /// <summary>Leave out <c>output.weight</c> (llama.cpp then ties the output to <c>token_embd</c>).</summary>
    /// <value>The default value is false.</value>
    public bool OmitOutputTensor { get; init; }

    /// <summary>The tiny test model: 2 layers, n_embd 64, 4 heads, n_ff 128, context 256, F32 (189,760 parameters, 759 KB).</summary>
    public static DemoModelOptions Tiny => new();

    /// <summary>The benchmark model: 8 layers, n_embd 1024, 16 heads, n_ff 2816, context 1024, F16 (104,498,176 parameters, 209 MB).</summary>
    public static DemoModelOptions Medium => new()
    {
        Layers = 8,
        EmbeddingLength = 1024,
        HeadCount = 16,
        FeedForwardLength = 2816,
        ContextLength = 1024,
        F16 = true,
    };

    /// <summary>The size of one attention head (<c>llama.rope.dimension_count</c>).</summary>
    public int HeadDimension => HeadCount > 0 ? EmbeddingLength / HeadCount : 0;

    /// <summary><see cref="KvHeadCount"/>, or <see cref="HeadCount"/> when it is not set.</summary>
    public int EffectiveKvHeadCount => KvHeadCount ?? HeadCount;

    /// <summary>
    /// A canonical description of everything that determines the file's bytes, including the
    /// generator's <see cref="DemoModel.FormatRevision"/>; the cache file name is derived from it.
    /// </summary>
    public string Fingerprint
    {
        get
        {
            var text = new StringBuilder();
            text.Append(CultureInfo.InvariantCulture, $"vespa-demo r{DemoModel.FormatRevision} layers={Layers} embd={EmbeddingLength} heads={HeadCount} ");
            text.Append(CultureInfo.InvariantCulture, $"kv={EffectiveKvHeadCount} ff={FeedForwardLength} ctx={ContextLength} {(F16 ? "f16" : "f32")} seed={Seed}");
            if (OmitOutputTensor)
            {
                text.Append(" omit-output");
            }

            foreach (var key in (OmitKeys ?? []).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
            {
                text.Append(" omit=").Append(key);
            }

            return text.ToString();
        }
    }

    /// <summary>The presets by name: <c>tiny</c> and <c>medium</c> (case-insensitive).</summary>
    public static bool TryGetPreset(string? name, out DemoModelOptions options)
    {
        options = name?.Trim().ToUpperInvariant() switch
        {
            "TINY" => Tiny,
            "MEDIUM" => Medium,
            _ => null!,
        };
        return options is not null;
    }

    /// <summary>Checks that the options describe a model llama.cpp can load.</summary>
    /// <exception cref="ArgumentException">A size is out of range, the heads do not divide the embedding, or an omitted key is unknown.</exception>
    public void Validate()
    {
        Require(Layers is >= 1 and <= 1024, $"Layers must be 1 to 1024, not {Layers}.");
        Require(EmbeddingLength is >= 2 and <= 65_536, $"EmbeddingLength must be 2 to 65536, not {EmbeddingLength}.");
        Require(HeadCount >= 1 && EmbeddingLength % HeadCount == 0, $"HeadCount ({HeadCount}) must be at least 1 and divide EmbeddingLength ({EmbeddingLength}).");
        Require(HeadDimension % 2 == 0, $"The head size EmbeddingLength/HeadCount must be even for RoPE, not {HeadDimension}.");
        Require(EffectiveKvHeadCount >= 1 && HeadCount % EffectiveKvHeadCount == 0, $"KvHeadCount ({EffectiveKvHeadCount}) must be at least 1 and divide HeadCount ({HeadCount}).");
        Require(FeedForwardLength is >= 1 and <= 262_144, $"FeedForwardLength must be 1 to 262144, not {FeedForwardLength}.");
        Require(ContextLength >= 1, $"ContextLength must be at least 1, not {ContextLength}.");
        Require(OmitKeys is not null, "OmitKeys must not be null.");
        foreach (var key in OmitKeys!)
        {
            Require(DemoModel.MetadataKeys.Contains(key), $"OmitKeys names '{key}', which is not a key the demo model writes ({string.Join(", ", DemoModel.MetadataKeys)}).");
        }
    }

    public bool Equals(DemoModelOptions? other) => other is not null && string.Equals(Fingerprint, other.Fingerprint, StringComparison.Ordinal);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Fingerprint);

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ArgumentException("Invalid demo model options: " + message);
        }
    }
}
