using System.Globalization;

namespace Vespa.Benchmarks.Builtin;

/// <summary>
/// <c>constant:&lt;value&gt;</c>: reports a throughput the operator already knows, without sending
/// any request. The value must be finite and positive; the identity is the name itself.
/// </summary>
internal sealed class ConstantBenchmark : IStartupBenchmark
{
    public const string Prefix = "constant:";
    public const string Unit = "workload/s";

    private readonly double _value;

    private ConstantBenchmark(double value)
    {
        _value = value;
        Name = Prefix + value.ToString("R", CultureInfo.InvariantCulture);
    }

    public string Name { get; }

    /// <summary>Parses the part after <c>constant:</c>; null with <paramref name="problem"/> set when it is not a finite, positive number.</summary>
    public static ConstantBenchmark? TryParse(string valueText, out string? problem)
    {
        if (!double.TryParse(valueText, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            problem = $"'{valueText}' is not a number";
            return null;
        }

        if (!double.IsFinite(value) || value <= 0)
        {
            problem = $"{valueText} is not a finite number greater than 0";
            return null;
        }

        problem = null;
        return new ConstantBenchmark(value);
    }

    public Task<string> IdentifyAsync(BenchmarkContext context, CancellationToken cancellationToken) => Task.FromResult(Name);

    public Task<BenchmarkResult> RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(new BenchmarkResult(_value, [_value], Unit));
    }
}
