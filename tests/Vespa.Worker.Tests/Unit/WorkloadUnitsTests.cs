using Vespa.Worker.Admission;

namespace Vespa.Worker.Tests.Unit;

public sealed class WorkloadUnitsTests
{
    [Theory]
    [InlineData(0.0)]
    [InlineData(0.1)]
    [InlineData(1.0)]
    [InlineData(123.456)]
    [InlineData(1e9)]
    [InlineData(1e15)]
    public void RoundTrip_ReportsTheSameNumber(double workload)
    {
        Assert.Equal(workload, WorkloadUnits.FromDouble(workload).ToDouble());
    }

    [Fact]
    public void Sums_AreExact()
    {
        var sum = WorkloadUnits.Zero;
        for (var i = 0; i < 10; i++)
        {
            sum += WorkloadUnits.FromDouble(0.1);
        }

        Assert.Equal(1.0, sum.ToDouble()); // 0.1 added ten times as doubles is 0.9999999999999999
        Assert.True((sum - WorkloadUnits.FromDouble(1.0)).IsZero);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(-1.0)]
    public void FromDouble_RefusesWhatTheAdmissionPolicyNeverPasses(double workload)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => WorkloadUnits.FromDouble(workload));
    }
}
