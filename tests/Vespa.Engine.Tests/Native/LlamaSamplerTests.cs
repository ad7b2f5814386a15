using Vespa.Engine.Native;

namespace Vespa.Engine.Tests.Native;

/// <summary>Chain composition on the real library (sampling itself needs a model: see the scheduler's tests).</summary>
[Collection(LlamaRuntimeGroup.Name)]
public sealed class LlamaSamplerTests
{
    private const int VocabSize = 840;

    public LlamaSamplerTests() => NativeTestLibraries.Initialize();

    [Fact]
    public void CreateChain_Defaults_TopKTopPMinPTempDist()
    {
        using var sampler = LlamaSampler.CreateChain(LlamaSamplingOptions.Default, VocabSize);

        Assert.Equal(["top-k", "top-p", "min-p", "temp", "dist"], sampler.Names);
    }

    [Fact]
    public void CreateChain_ZeroTemperature_IsGreedy()
    {
        using var sampler = LlamaSampler.CreateChain(new LlamaSamplingOptions { Temperature = 0 }, VocabSize);

        Assert.Equal(["greedy"], sampler.Names);
    }

    [Fact]
    public void CreateChain_Penalties_ComeFirst()
    {
        using var greedy = LlamaSampler.CreateChain(new LlamaSamplingOptions { Temperature = 0, RepeatPenalty = 1.1f }, VocabSize);
        using var sampled = LlamaSampler.CreateChain(new LlamaSamplingOptions { PresencePenalty = 0.5f, TopK = 0, TopP = 1, MinP = 0 }, VocabSize);

        Assert.Equal(["penalties", "greedy"], greedy.Names);
        Assert.Equal(["penalties", "temp", "dist"], sampled.Names);
    }

    [Fact]
    public void CreateChain_FixedSeed_IsKept()
    {
        using var sampler = LlamaSampler.CreateChain(new LlamaSamplingOptions { Seed = 42 }, VocabSize);

        Assert.Equal(42u, sampler.Seed);
    }

    [Fact]
    public void CreateChain_InvalidOptions_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => LlamaSampler.CreateChain(new LlamaSamplingOptions { RepeatPenalty = 0 }, VocabSize));
        Assert.Throws<ArgumentOutOfRangeException>(() => LlamaSampler.CreateChain(new LlamaSamplingOptions { Temperature = float.NaN }, VocabSize));
        Assert.Throws<ArgumentOutOfRangeException>(() => LlamaSampler.CreateChain(LlamaSamplingOptions.Default, 0));
    }

    [Fact]
    public void Dispose_FreesTheChain()
    {
        var sampler = LlamaSampler.CreateChain(LlamaSamplingOptions.Default, VocabSize);
        sampler.Dispose();

        Assert.True(sampler.Handle.IsClosed);
        Assert.Throws<ObjectDisposedException>(() => sampler.Accept(1));
    }
}
