using Vespa.Engine.Models;

namespace Vespa.Engine.Tests.Models;

public sealed class DeterministicRandomTests
{
    [Fact]
    public void SplitMix64_MatchesTheReferenceOutputsForSeedZero()
    {
        ulong state = 0;

        Assert.Equal(0xE220A8397B1DCDAFUL, DeterministicRandom.SplitMix64(ref state));
        Assert.Equal(0x6E789E6AA1B965F4UL, DeterministicRandom.SplitMix64(ref state));
        Assert.Equal(0x06C45D188009454FUL, DeterministicRandom.SplitMix64(ref state));
    }

    [Fact]
    public void Xoshiro256StarStar_MatchesTheReferenceOutputsForState1234()
    {
        var random = DeterministicRandom.FromState(1, 2, 3, 4);

        ulong[] expected = [11520, 0, 1509978240, 1215971899390074240, 1216172134540287360, 607988272756665600];
        Assert.Equal(expected, expected.Select(_ => random.NextUInt64()));
    }

    [Fact]
    public void SameSeed_SameSequence_DifferentSeed_DifferentSequence()
    {
        var a = new DeterministicRandom(42);
        var b = new DeterministicRandom(42);
        var c = new DeterministicRandom(43);

        var first = Enumerable.Range(0, 100).Select(_ => a.NextGaussian()).ToArray();

        Assert.Equal(first, Enumerable.Range(0, 100).Select(_ => b.NextGaussian()));
        Assert.NotEqual(first, Enumerable.Range(0, 100).Select(_ => c.NextGaussian()));
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(0.5)]
    [InlineData(2.0)]
    [InlineData(1e-300)]
    [InlineData(0.7071067811865476)]
    [InlineData(1.4142135623730951)]
    [InlineData(0.123456789)]
    [InlineData(12345.678)]
    public void Ln_AgreesWithMathLogToTheLastBits(double x)
    {
        var expected = Math.Log(x);

        Assert.InRange(DeterministicRandom.Ln(x), expected - (Math.Abs(expected) * 4e-16) - 1e-300, expected + (Math.Abs(expected) * 4e-16) + 1e-300);
    }

    [Fact]
    public void Ln_OverManyUniforms_StaysWithinAFewUlps()
    {
        var random = new DeterministicRandom(7);
        for (var i = 0; i < 10_000; i++)
        {
            var x = random.NextDouble() + 1e-9;
            var expected = Math.Log(x);
            Assert.True(Math.Abs(DeterministicRandom.Ln(x) - expected) <= 8 * Math.Max(Math.BitIncrement(Math.Abs(expected)) - Math.Abs(expected), double.Epsilon), $"ln({x:R})");
        }
    }

    [Fact]
    public void NextDouble_IsInTheUnitInterval_AndGaussianHasUnitVariance()
    {
        var random = new DeterministicRandom(DemoModelOptions.DefaultSeed);
        var uniforms = Enumerable.Range(0, 20_000).Select(_ => random.NextDouble()).ToArray();
        var normals = Enumerable.Range(0, 20_000).Select(_ => random.NextGaussian()).ToArray();

        Assert.All(uniforms, u => Assert.InRange(u, 0.0, 1.0 - 1e-17));
        Assert.InRange(uniforms.Average(), 0.49, 0.51);
        Assert.InRange(normals.Average(), -0.03, 0.03);
        Assert.InRange(Math.Sqrt(normals.Average(v => v * v)), 0.97, 1.03);
    }
}
