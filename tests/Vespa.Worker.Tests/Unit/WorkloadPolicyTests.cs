using System.Text.Json;
using Vespa.Worker.Admission;

namespace Vespa.Worker.Tests.Unit;

public sealed class WorkloadPolicyTests
{
    private static double Workload(string costJson, double? defaultCost, out CostAdjustment adjustment, double maxCost = 1e9)
    {
        using var document = JsonDocument.Parse(costJson);
        return WorkloadPolicy.FromCost(document.RootElement, defaultCost, maxCost, out adjustment);
    }

    [Theory]
    [InlineData("100", 100.0)]
    [InlineData("100.0", 100.0)]
    [InlineData("\"250.5\"", 250.5)]
    [InlineData("\" 7 \"", 7.0)]
    [InlineData("1e9", 1e9)]
    [InlineData("5", 5.0)]
    public void UsableCost_IsTheWorkload(string cost, double expected)
    {
        Assert.Equal(expected, Workload(cost, defaultCost: null, out var adjustment));
        Assert.Equal(CostAdjustment.None, adjustment);
    }

    [Theory]
    [InlineData("0.5", null, 0.5)]
    [InlineData("0.5", 10.0, 10.0)]
    [InlineData("1", 10.0, 10.0)]
    [InlineData("0", 10.0, 10.0)]
    [InlineData("-0.0", null, 0.0)]
    [InlineData("5e-324", null, 5e-324)]
    public void CostAtMostOne_DefaultCostRuleStays(string cost, double? defaultCost, double expected)
    {
        var workload = Workload(cost, defaultCost, out var adjustment);

        Assert.Equal(expected, workload);
        Assert.False(double.IsNegative(workload));
        Assert.Equal(CostAdjustment.None, adjustment);
    }

    [Theory]
    [InlineData("1e308")]
    [InlineData("1.5e300")]
    [InlineData("1e400")] // beyond double's range: still a number, the largest kind
    [InlineData("1000000000.5")]
    [InlineData("\"1e308\"")]
    [InlineData("\"inf\"")]
    [InlineData("\"Infinity\"")]
    public void CostAboveMax_ServedWithMaxCost(string cost)
    {
        Assert.Equal(1e9, Workload(cost, defaultCost: 3, out var adjustment));
        Assert.Equal(CostAdjustment.AboveMax, adjustment);
    }

    [Theory]
    [InlineData("-5", 7.0, 7.0)]
    [InlineData("-5", null, 1.0)]
    [InlineData("-1e400", null, 1.0)]
    [InlineData("\"-inf\"", 7.0, 7.0)]
    [InlineData("-0.001", null, 1.0)]
    public void NegativeCost_ServedWithTheDefaultWorkload(string cost, double? defaultCost, double expected)
    {
        Assert.Equal(expected, Workload(cost, defaultCost, out var adjustment));
        Assert.Equal(CostAdjustment.Negative, adjustment);
    }

    [Theory]
    [InlineData("\"abc\"")]
    [InlineData("\"\"")]
    [InlineData("\"NaN\"")]
    [InlineData("\"nan\"")]
    [InlineData("null")]
    [InlineData("true")]
    [InlineData("[1]")]
    [InlineData("{\"cost\": 5}")]
    public void NotANumber_ServedWithTheDefaultWorkload(string cost)
    {
        Assert.Equal(7.0, Workload(cost, defaultCost: 7, out var adjustment));
        Assert.Equal(CostAdjustment.NotANumber, adjustment);
        Assert.Equal(1.0, Workload(cost, defaultCost: null, out _));
    }

    [Fact]
    public void MaxCost_IsConfigurable()
    {
        Assert.Equal(50, Workload("51", null, out var adjustment, maxCost: 50));
        Assert.Equal(CostAdjustment.AboveMax, adjustment);
        Assert.Equal(50, Workload("50", null, out adjustment, maxCost: 50));
        Assert.Equal(CostAdjustment.None, adjustment);
    }
}
