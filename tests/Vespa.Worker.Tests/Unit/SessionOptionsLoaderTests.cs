using Vespa.Worker.Options;

namespace Vespa.Worker.Tests.Unit;

/// <summary>The loader's session, plain-HTTP port and benchmark-run settings.</summary>
public sealed class SessionOptionsLoaderTests
{
    private static WorkerOptions Load(params (string Name, string Value)[] variables) =>
        WorkerOptionsLoader.Load(variables.ToDictionary(v => v.Name, v => v.Value));

    private static WorkerOptionsException Fails(params (string Name, string Value)[] variables) =>
        Assert.Throws<WorkerOptionsException>(() => Load(variables));

    [Fact]
    public void Defaults_WorkerHttpPortIsWorkerPortPlusOne_LifetimeCapAnHour_EightBenchmarkRuns()
    {
        var options = Load();

        Assert.Equal(3001, options.WorkerHttpPort);
        Assert.Equal(3600, options.MaxSessionLifetime);
        Assert.Equal(8, options.BenchmarkRuns); // the SDK's BenchmarkConfig.runs
    }

    [Fact]
    public void WorkerHttpPort_FollowsTheWorkerPort() =>
        Assert.Equal(5001, Load(("WORKER_PORT", "5000")).WorkerHttpPort);

    [Theory]
    [InlineData("WORKER_HTTP_PORT")]
    [InlineData("PYWORKER_WORKER_HTTP_PORT")]
    [InlineData("VESPA_WORKER_HTTP_PORT")]
    public void WorkerHttpPort_EachNameIsRead(string name) =>
        Assert.Equal(7001, Load((name, "7001")).WorkerHttpPort);

    [Fact]
    public void WorkerHttpPort_VespaNameWins() =>
        Assert.Equal(7001, Load(("VESPA_WORKER_HTTP_PORT", "7001"), ("PYWORKER_WORKER_HTTP_PORT", "7002"), ("WORKER_HTTP_PORT", "7003")).WorkerHttpPort);

    [Fact]
    public void WorkerHttpPort_Off_OpensNone() =>
        Assert.Null(Load(("VESPA_WORKER_HTTP_PORT", "off")).WorkerHttpPort);

    [Fact]
    public void WorkerHttpPort_EphemeralWorkerPort_NoneUnlessAsked()
    {
        Assert.Null(Load(("VESPA_WORKER_PORT", "0")).WorkerHttpPort);
        Assert.Equal(0, Load(("VESPA_WORKER_PORT", "0"), ("VESPA_WORKER_HTTP_PORT", "0")).WorkerHttpPort);
    }

    [Theory]
    [InlineData("abc", "an integer from 0 to 65535")]
    [InlineData("70000", "an integer from 0 to 65535")]
    [InlineData("3000", "a port other than the worker port")]
    public void WorkerHttpPort_BadValue_IsNamed(string value, string expected)
    {
        var error = Fails(("VESPA_WORKER_HTTP_PORT", value));

        Assert.Contains(error.Errors, e => e.StartsWith("VESPA_WORKER_HTTP_PORT=", StringComparison.Ordinal) && e.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void WorkerHttpPort_WorkerPort65535_AsksForAnExplicitPort()
    {
        var error = Fails(("WORKER_PORT", "65535"));

        Assert.Contains(error.Errors, e => e.Contains("set VESPA_WORKER_HTTP_PORT", StringComparison.Ordinal));
        Assert.Equal(1, Load(("WORKER_PORT", "65535"), ("WORKER_HTTP_PORT", "1")).WorkerHttpPort);
    }

    [Fact]
    public void MaxSessionLifetime_IsRead() =>
        Assert.Equal(120.5, Load(("VESPA_MAX_SESSION_LIFETIME", "120.5")).MaxSessionLifetime);

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("forever")]
    [InlineData("1e300")]
    public void MaxSessionLifetime_BadValue_IsNamed(string value) =>
        Assert.Contains(Fails(("VESPA_MAX_SESSION_LIFETIME", value)).Errors, e => e.StartsWith("VESPA_MAX_SESSION_LIFETIME=", StringComparison.Ordinal));
}
