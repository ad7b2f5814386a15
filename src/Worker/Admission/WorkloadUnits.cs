namespace Vespa.Worker.Admission;

/// <summary>
/// An exact amount of workload: a whole number of nano-units (10^-9) in an <see cref="Int128"/>. The load counters
/// add and subtract these instead of running <see cref="double"/> totals, where <c>1e16 + 1 == 1e16</c> made small
/// costs vanish and <c>cur_load</c> drift away from 0. A workload is at most <c>VESPA_MAX_COST</c> (≤ 1e15), i.e. at
/// most 10^24 units, so even 10^14 of them summed stay far inside the type's range (1.7e38).
/// </summary>
internal readonly record struct WorkloadUnits(Int128 Nanos) : IComparable<WorkloadUnits>
{
    private const double PerUnit = 1e9;

    public static WorkloadUnits Zero => default;

    public bool IsZero => Nanos == Int128.Zero;

    /// <summary>A workload from a finite, non-negative number (the admission policy guarantees both), rounded to 10^-9.</summary>
    public static WorkloadUnits FromDouble(double workload)
    {
        if (!double.IsFinite(workload) || workload < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(workload), workload, "a workload is a finite, non-negative number");
        }

        return new WorkloadUnits((Int128)Math.Round(workload * PerUnit, MidpointRounding.ToEven));
    }

    /// <summary>The amount as the autoscaler gets it; always finite.</summary>
    public double ToDouble() => (double)Nanos / PerUnit;

    public static WorkloadUnits operator +(WorkloadUnits left, WorkloadUnits right) => new(left.Nanos + right.Nanos);

    public static WorkloadUnits operator -(WorkloadUnits left, WorkloadUnits right) => new(left.Nanos - right.Nanos);

    public static bool operator <(WorkloadUnits left, WorkloadUnits right) => left.Nanos < right.Nanos;

    public static bool operator >(WorkloadUnits left, WorkloadUnits right) => left.Nanos > right.Nanos;

    public static bool operator <=(WorkloadUnits left, WorkloadUnits right) => left.Nanos <= right.Nanos;

    public static bool operator >=(WorkloadUnits left, WorkloadUnits right) => left.Nanos >= right.Nanos;

    public static WorkloadUnits Add(WorkloadUnits left, WorkloadUnits right) => left + right;

    public static WorkloadUnits Subtract(WorkloadUnits left, WorkloadUnits right) => left - right;

    public static WorkloadUnits Max(WorkloadUnits left, WorkloadUnits right) => left >= right ? left : right;

    public int CompareTo(WorkloadUnits other) => Nanos.CompareTo(other.Nanos);

    public override string ToString() => ToDouble().ToString(System.Globalization.CultureInfo.InvariantCulture);
}
