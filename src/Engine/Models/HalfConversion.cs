namespace Vespa.Engine.Models;

/// <summary>
/// float → IEEE 754 half conversion with round-to-nearest-even, bit-identical to
/// <c>(Half)value</c> for every non-NaN input (NaN becomes the quiet NaN 0x7E00 with its sign) but
/// several times faster, because writing a 104M-parameter F16 model converts every weight. The
/// method is F. Giesen's branch-light <c>float_to_half_fast3_rtne</c>
/// (https://gist.github.com/rygorous/2156668), which relies only on IEEE float addition.
/// </summary>
internal static class HalfConversion
{
    /// <summary>65536.0f: from here on (and for infinities and NaN) the half is infinite or NaN.</summary>
    private const uint HalfOverflow = (127 + 16) << 23;

    /// <summary>2^-14, the smallest normal half: below it the result is subnormal or zero.</summary>
    private const uint HalfMinNormal = 113 << 23;

    /// <summary>0.5f: adding it aligns a tiny value's mantissa so that the FPU rounds it to the half subnormal grid.</summary>
    private const uint SubnormalMagic = ((127 - 15) + (23 - 10) + 1) << 23;

    public static ushort ToHalfBits(float value)
    {
        var bits = BitConverter.SingleToUInt32Bits(value);
        var sign = bits & 0x8000_0000u;
        bits ^= sign;
        uint half;
        if (bits >= HalfOverflow)
        {
            half = bits > 0x7F80_0000u ? 0x7E00u : 0x7C00u;
        }
        else if (bits < HalfMinNormal)
        {
            var aligned = BitConverter.UInt32BitsToSingle(bits) + BitConverter.UInt32BitsToSingle(SubnormalMagic);
            half = BitConverter.SingleToUInt32Bits(aligned) - SubnormalMagic;
        }
        else
        {
            var mantissaOdd = (bits >> 13) & 1;
            bits += unchecked((uint)((15 - 127) << 23)) + 0xFFFu; // rebias the exponent, add just under half an ulp
            bits += mantissaOdd; // ... and the last bit of it when the result would be odd: ties go to even
            half = bits >> 13;
        }

        return (ushort)(half | (sign >> 16));
    }
}
