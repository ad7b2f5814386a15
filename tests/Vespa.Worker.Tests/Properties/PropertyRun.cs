using System.Globalization;
using CsCheck;

namespace Vespa.Worker.Tests.Properties;

/// <summary>
/// How the property tests run. In CI: a fixed seed and a small count, generated in order from one
/// <see cref="PCG"/> stream, so every run sends the same inputs and takes seconds. For a longer,
/// exploring run (<c>scripts/property-tests.sh</c>): <c>VESPA_PROPERTY_ITERATIONS=N</c> hands the
/// property to CsCheck's sampler (fresh random inputs each run, a failing one shrunk and printed
/// with its seed); <c>VESPA_PROPERTY_SEED</c> replays a printed seed.
/// </summary>
internal static class PropertyRun
{
    /// <summary>Iterations per property in CI.</summary>
    public const int CiIterations = 40;

    /// <summary>The fixed seed of the CI run.</summary>
    public const ulong CiSeed = 0x5EED_0009;

    public static async Task CheckAsync<T>(Gen<T> gen, Func<T, Task> assert, Func<T, string> describe)
    {
        var iterations = Environment.GetEnvironmentVariable("VESPA_PROPERTY_ITERATIONS");
        var seed = Environment.GetEnvironmentVariable("VESPA_PROPERTY_SEED");
        if (iterations is not null || seed is not null)
        {
            var count = iterations is null ? 1 : long.Parse(iterations, CultureInfo.InvariantCulture);
            await gen.SampleAsync(assert, seed: seed, iter: count, threads: 2, print: describe);
            return;
        }

        var pcg = new PCG(1, CiSeed);
        for (var i = 0; i < CiIterations; i++)
        {
            var value = gen.Generate(pcg, null, out _);
            try
            {
                await assert(value);
            }
            catch (Exception ex)
            {
                throw new InvalidOperationException($"property failed at CI iteration {i} (seed {CiSeed:X}) for input:\n{describe(value)}\n{ex.Message}", ex);
            }
        }
    }
}
