using System.Numerics;

namespace Vespa.Engine.Models;

/// <summary>
/// A fixed, fully specified pseudo-random generator for the demo model's weights, so the same seed
/// gives the same bytes on every machine and runtime (System.Random's algorithm is not a contract):
/// xoshiro256** (Blackman and Vigna, https://prng.di.unimi.it/) seeded through SplitMix64, and
/// normal deviates by Marsaglia's polar method.
/// </summary>
/// <remarks>
/// Only IEEE-exact operations are used (+, −, ×, ÷, <see cref="Math.Sqrt"/>; .NET never contracts
/// them into fused multiply-adds implicitly). The polar method needs a natural logarithm, and the
/// platform's <see cref="Math.Log(double)"/> may differ in the last bit between C libraries, so
/// <see cref="Ln"/> computes it with a fixed series instead.
/// </remarks>
internal sealed class DeterministicRandom
{
    private const double Ln2 = 0.6931471805599453;
    private const double Sqrt2 = 1.4142135623730951;

    /// <summary>1/3, 1/5, ..., 1/31: the atanh series coefficients (each a correctly rounded IEEE quotient).</summary>
    private static readonly double[] AtanhCoefficients = [.. Enumerable.Range(1, 15).Select(k => 1.0 / ((2 * k) + 1))];

    private ulong _s0;
    private ulong _s1;
    private ulong _s2;
    private ulong _s3;
    private double _spare;
    private bool _hasSpare;

    public DeterministicRandom(ulong seed)
    {
        var state = seed;
        _s0 = SplitMix64(ref state);
        _s1 = SplitMix64(ref state);
        _s2 = SplitMix64(ref state);
        _s3 = SplitMix64(ref state);
    }

    private DeterministicRandom(ulong s0, ulong s1, ulong s2, ulong s3)
    {
        _s0 = s0;
        _s1 = s1;
        _s2 = s2;
        _s3 = s3;
    }

    /// <summary>A generator with the raw xoshiro256** state given (for reference vectors); not all zero.</summary>
    public static DeterministicRandom FromState(ulong s0, ulong s1, ulong s2, ulong s3) =>
        (s0 | s1 | s2 | s3) != 0 ? new(s0, s1, s2, s3) : throw new ArgumentException("The xoshiro256** state must not be all zero.");

    /// <summary>One SplitMix64 step: advances <paramref name="state"/> and returns a well-mixed value.</summary>
    public static ulong SplitMix64(ref ulong state)
    {
        state += 0x9E3779B97F4A7C15UL;
        return Mix64(state);
    }

    /// <summary>The SplitMix64 finaliser: a bijective 64-bit hash.</summary>
    public static ulong Mix64(ulong value)
    {
        value = (value ^ (value >> 30)) * 0xBF58476D1CE4E5B9UL;
        value = (value ^ (value >> 27)) * 0x94D049BB133111EBUL;
        return value ^ (value >> 31);
    }

    /// <summary>64-bit FNV-1a over the UTF-16 code units of <paramref name="text"/>: a stable string hash for seed derivation.</summary>
    public static ulong Fnv1a64(string text)
    {
        var hash = 0xCBF29CE484222325UL;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 0x100000001B3UL;
        }

        return hash;
    }

    public ulong NextUInt64()
    {
        var result = BitOperations.RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = BitOperations.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>A uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A standard normal deviate (mean 0, standard deviation 1).</summary>
    public double NextGaussian()
    {
        if (_hasSpare)
        {
            _hasSpare = false;
            return _spare;
        }

        double x;
        double y;
        double s;
        do
        {
            x = (2.0 * NextDouble()) - 1.0;
            y = (2.0 * NextDouble()) - 1.0;
            s = (x * x) + (y * y);
        }
        while (s >= 1.0 || s == 0.0);

        var factor = Math.Sqrt(-2.0 * Ln(s) / s);
        _spare = y * factor;
        _hasSpare = true;
        return x * factor;
    }

    /// <summary>
    /// ln(<paramref name="x"/>) for a positive normal double, to within a few units in the last place:
    /// x = m·2^e with m in [√½, √2], then ln m = 2·atanh(t) with t = (m−1)/(m+1), |t| ≤ 0.172, summed
    /// as t·(1 + t²/3 + t⁴/5 + … + t³⁰/31) in Horner form (t^32 &lt; 1e-24).
    /// </summary>
    public static double Ln(double x)
    {
        if (!(x > 0) || !double.IsNormal(x))
        {
            throw new ArgumentOutOfRangeException(nameof(x), x, "Ln is defined here for positive normal numbers only.");
        }

        var bits = BitConverter.DoubleToInt64Bits(x);
        var exponent = (int)((bits >> 52) & 0x7FF) - 1023;
        var m = BitConverter.Int64BitsToDouble((bits & 0x000F_FFFF_FFFF_FFFFL) | 0x3FF0_0000_0000_0000L);
        if (m > Sqrt2)
        {
            m *= 0.5;
            exponent++;
        }

        var t = (m - 1.0) / (m + 1.0);
        var t2 = t * t;
        var series = AtanhCoefficients[^1];
        for (var k = AtanhCoefficients.Length - 2; k >= 0; k--)
        {
            series = (series * t2) + AtanhCoefficients[k];
        }

        series = (series * t2) + 1.0;
        return (2.0 * t * series) + (exponent * Ln2);
    }
}
