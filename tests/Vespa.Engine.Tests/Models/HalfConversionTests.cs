using Vespa.Engine.Models;

namespace Vespa.Engine.Tests.Models;

public sealed class HalfConversionTests
{
    [Theory]
    [InlineData(0f, 0x0000)]
    [InlineData(-0f, 0x8000)]
    [InlineData(1f, 0x3C00)]
    [InlineData(-2f, 0xC000)]
    [InlineData(65504f, 0x7BFF)]
    [InlineData(65519.996f, 0x7BFF)]
    [InlineData(65520f, 0x7C00)]
    [InlineData(float.PositiveInfinity, 0x7C00)]
    [InlineData(float.NegativeInfinity, 0xFC00)]
    [InlineData(6.1035156e-5f, 0x0400)]
    [InlineData(5.9604645e-8f, 0x0001)]
    [InlineData(2.9802322e-8f, 0x0000)] // exactly half the smallest subnormal: a tie, to even (zero)
    [InlineData(8.940697e-8f, 0x0002)] // 1.5 × the smallest subnormal: a tie, to even (2)
    [InlineData(1.0009766f, 0x3C01)]
    [InlineData(1.00048828125f, 0x3C00)] // halfway between 0x3C00 and 0x3C01: to even
    [InlineData(1.00146484375f, 0x3C02)] // halfway between 0x3C01 and 0x3C02: to even
    public void ToHalfBits_KnownValues(float value, int expected) => Assert.Equal((ushort)expected, HalfConversion.ToHalfBits(value));

    [Fact]
    public void ToHalfBits_NaN_IsAQuietNaN()
    {
        Assert.True(Half.IsNaN(BitConverter.UInt16BitsToHalf(HalfConversion.ToHalfBits(float.NaN))));
        Assert.Equal(0x7E00, HalfConversion.ToHalfBits(BitConverter.UInt32BitsToSingle(0x7F80_0001)));
    }

    [Fact]
    public void ToHalfBits_MatchesTheRuntimesConversionOnRandomFloats()
    {
        var random = new DeterministicRandom(3);
        for (var i = 0; i < 200_000; i++)
        {
            var bits = (uint)random.NextUInt64();
            if (i % 2 == 0)
            {
                // Half the samples in the range that matters, around the half exponent range.
                bits = (bits & 0x807F_FFFFu) | ((uint)(100 + (i % 45)) << 23);
            }

            var value = BitConverter.UInt32BitsToSingle(bits);
            if (!float.IsNaN(value))
            {
                Assert.Equal(BitConverter.HalfToUInt16Bits((Half)value), HalfConversion.ToHalfBits(value));
            }
        }
    }
}
