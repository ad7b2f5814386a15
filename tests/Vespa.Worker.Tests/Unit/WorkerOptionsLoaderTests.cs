using Microsoft.Extensions.Logging;
using Vespa.Core.Signatures;
using Vespa.Worker.Options;

namespace Vespa.Worker.Tests.Unit;

public sealed class WorkerOptionsLoaderTests
{
    private static WorkerOptions Load(params (string Name, string Value)[] variables) =>
        WorkerOptionsLoader.Load(variables.ToDictionary(v => v.Name, v => v.Value));

    [Fact]
    public void Load_NoVastVariables_LocalDevelopmentUnsecuredOnLoopback()
    {
        var options = Load();

        Assert.True(options.LocalDevelopment);
        Assert.True(options.Unsecured);
        Assert.Equal("127.0.0.1", options.Host);
        Assert.Equal(3000, options.WorkerPort);
        Assert.Null(options.BackendUrl);
    }

    [Fact]
    public void Load_VastVariables_SecuredOnAllInterfaces()
    {
        var options = Load(("CONTAINER_ID", "42"), ("REPORT_ADDR", "https://run.vast.ai"), ("MASTER_TOKEN", "t"), ("PUBLIC_IPADDR", "203.0.113.7"), ("VAST_TCP_PORT_3000", "41234"));

        Assert.False(options.LocalDevelopment);
        Assert.False(options.Unsecured);
        Assert.Equal("0.0.0.0", options.Host);
        Assert.Equal(42, options.ContainerId);
        Assert.Equal("http://203.0.113.7:41234", options.PublicUrl);
    }

    [Fact]
    public void Load_ContainerIdWithoutReportAddr_DefaultsToRunVastAi()
    {
        var options = Load(("CONTAINER_ID", "7"));

        Assert.Equal(new Uri("https://run.vast.ai"), Assert.Single(options.ReportAddresses));
    }

    [Fact]
    public void Load_ReportAddrList_SplitInOrder()
    {
        var options = Load(("REPORT_ADDR", "http://127.0.0.1:1/, http://127.0.0.1:2"));

        Assert.Equal(["http://127.0.0.1:1/", "http://127.0.0.1:2/"], options.ReportAddresses.Select(u => u.ToString()));
    }

    [Fact]
    public void Load_VespaNameWinsOverPyworkerAndSdkNames()
    {
        var options = Load(("VESPA_WORKER_PORT", "4000"), ("PYWORKER_WORKER_PORT", "5000"), ("WORKER_PORT", "6000"));

        Assert.Equal(4000, options.WorkerPort);
    }

    [Fact]
    public void Load_PyworkerAndSdkFallbacks_AreHonoured()
    {
        var options = Load(("PYWORKER_MAX_WAIT_TIME", "2.5"), ("WORKER_PORT", "6000"), ("USE_SSL", "true"), ("PYWORKER_BLOCKED_PATHS", "/admin/*, /debug"), ("PYWORKER_HEALTHCHECK_CONSECUTIVE_FAILURES", "5"));

        Assert.Equal(2.5, options.MaxWaitTime);
        Assert.Equal(6000, options.WorkerPort);
        Assert.True(options.UseSsl);
        Assert.Equal(["/admin/*", "/debug"], options.BlockedPaths);
        Assert.Equal(5, options.HealthcheckConsecutiveFailures);
    }

    [Fact]
    public void Load_Defaults_MatchTheUniversalPyWorker()
    {
        var o = Load();

        Assert.Equal("/health", o.HealthcheckEndpoint);
        Assert.True(o.AllowParallel);
        Assert.Null(o.MaxConcurrency);
        Assert.Equal(10.0, o.MaxWaitTime);
        Assert.Equal(TimeSpan.FromSeconds(1200), o.ReadyTimeoutInitial);
        Assert.Equal(TimeSpan.FromSeconds(300), o.ReadyTimeoutResume);
        Assert.Equal(".has_benchmark", o.BenchmarkCacheFile);
        Assert.Equal(3, o.PubkeyMaxRetries);
        Assert.Equal(TimeSpan.FromSeconds(10), o.PubkeyTimeout);
        Assert.Equal(TimeSpan.FromSeconds(5), o.HealthcheckRetryInterval);
        Assert.Equal(TimeSpan.FromSeconds(10), o.HealthcheckPollInterval);
        Assert.Equal(TimeSpan.FromSeconds(10), o.HealthcheckTimeout);
        Assert.Equal(3, o.HealthcheckConsecutiveFailures);
        Assert.Equal(TimeSpan.FromSeconds(1), o.MetricsUpdateInterval);
        Assert.Equal(TimeSpan.FromSeconds(1), o.DeleteRequestsInterval);
        Assert.Equal(TimeSpan.FromSeconds(2), o.MetricsRetryDelay);
        Assert.Equal(3, o.MetricsMaxRetries);
        Assert.Equal(TimeSpan.FromSeconds(10), o.MetricsTimeout);
        Assert.Equal(8, o.MetricsConnectionLimit);
        Assert.Equal(4, o.MetricsConnectionLimitPerHost);
        Assert.Equal(100, o.ConnectionLimit);
        Assert.Equal(20, o.ConnectionLimitPerHost);
        Assert.Equal(512, o.BenchmarkTestWidth);
        Assert.Equal(512, o.BenchmarkTestHeight);
        Assert.Equal(20, o.BenchmarkTestSteps);
        Assert.Equal(100L * 1024 * 1024, o.MaxBodyBytes);
        Assert.Equal(SignatureScheme.Auto, o.SignatureScheme);
        Assert.Equal(LogLevel.Information, o.LogLevel);
    }

    [Theory]
    [InlineData("DEBUG", LogLevel.Debug)]
    [InlineData("INFO", LogLevel.Information)]
    [InlineData("WARNING", LogLevel.Warning)]
    [InlineData("ERROR", LogLevel.Error)]
    [InlineData("CRITICAL", LogLevel.Critical)]
    [InlineData("Information", LogLevel.Information)]
    [InlineData("trace", LogLevel.Trace)]
    public void Load_LogLevel_AcceptsPythonAndDotnetNames(string value, LogLevel expected)
    {
        Assert.Equal(expected, Load(("PYWORKER_LOG_LEVEL", value)).LogLevel);
    }

    [Theory]
    [InlineData("url", SignatureScheme.Url)]
    [InlineData("LEGACY", SignatureScheme.Legacy)]
    [InlineData("auto", SignatureScheme.Auto)]
    public void Load_SignatureScheme_Parsed(string value, SignatureScheme expected)
    {
        Assert.Equal(expected, Load(("VESPA_SIGNATURE_SCHEME", value)).SignatureScheme);
    }

    [Theory]
    [InlineData("yes", true)]
    [InlineData("On", true)]
    [InlineData("1", true)]
    [InlineData("f", false)]
    [InlineData("off", false)]
    public void Load_Booleans_FollowStrtobool(string value, bool expected)
    {
        Assert.Equal(expected, Load(("VESPA_ALLOW_PARALLEL", value)).AllowParallel);
    }

    [Fact]
    public void Load_BadValues_ReportsEveryVariableWithTheAcceptedForm()
    {
        var ex = Assert.Throws<WorkerOptionsException>(() => Load(
            ("VESPA_WORKER_PORT", "http"),
            ("VESPA_MAX_WAIT_TIME", "-1"),
            ("VESPA_ALLOW_PARALLEL", "maybe"),
            ("VESPA_BACKEND_URL", "ftp://x"),
            ("VESPA_SIGNATURE_SCHEME", "pss"),
            ("VESPA_LOG_LEVEL", "LOUD"),
            ("CONTAINER_ID", "abc")));

        Assert.Equal(7, ex.Errors.Count);
        Assert.Contains(ex.Errors, e => e.Contains("VESPA_WORKER_PORT", StringComparison.Ordinal) && e.Contains("integer from 0 to 65535", StringComparison.Ordinal));
        Assert.Contains(ex.Errors, e => e.Contains("VESPA_MAX_WAIT_TIME", StringComparison.Ordinal));
        Assert.Contains(ex.Errors, e => e.Contains("VESPA_ALLOW_PARALLEL", StringComparison.Ordinal) && e.Contains("boolean", StringComparison.Ordinal));
        Assert.Contains(ex.Errors, e => e.Contains("VESPA_BACKEND_URL", StringComparison.Ordinal));
        Assert.Contains(ex.Errors, e => e.Contains("VESPA_SIGNATURE_SCHEME", StringComparison.Ordinal) && e.Contains("url, legacy, auto", StringComparison.Ordinal));
        Assert.Contains(ex.Errors, e => e.Contains("VESPA_LOG_LEVEL", StringComparison.Ordinal));
        Assert.Contains(ex.Errors, e => e.Contains("CONTAINER_ID", StringComparison.Ordinal));
    }

    [Fact]
    public void Load_SecuredWithoutReportAddr_Refused()
    {
        var ex = Assert.Throws<WorkerOptionsException>(() => Load(("VESPA_UNSECURED", "false")));

        Assert.Contains("REPORT_ADDR", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_UnsecuredOnVast_StaysOnLoopbackUnlessHostForced()
    {
        var loopback = Load(("REPORT_ADDR", "http://127.0.0.1:9"), ("UNSECURED", "true"));
        var forced = Load(("REPORT_ADDR", "http://127.0.0.1:9"), ("UNSECURED", "true"), ("VESPA_HOST", "0.0.0.0"));

        Assert.Equal("127.0.0.1", loopback.Host);
        Assert.Equal("0.0.0.0", forced.Host);
    }

    [Fact]
    public void Load_BackendUrlWithBasePath_Kept()
    {
        var options = Load(("VESPA_BACKEND_URL", "http://127.0.0.1:8000/api/"));

        Assert.Equal("http://127.0.0.1:8000/api/", options.BackendUrl!.ToString());
    }

    [Fact]
    public void Load_MaxCost_DefaultsToOneBillion_AndIsConfigurable()
    {
        Assert.Equal(1e9, Load().MaxCost);
        Assert.Equal(5e12, Load(("VESPA_MAX_COST", "5e12")).MaxCost);
        Assert.Equal(300, Load(("PYWORKER_MAX_COST", "300")).MaxCost);
    }

    [Fact]
    public void Load_DefaultCostAboveMaxCost_Refused()
    {
        var ex = Assert.Throws<WorkerOptionsException>(() => Load(("VESPA_DEFAULT_COST", "500"), ("VESPA_MAX_COST", "100")));

        Assert.Contains("VESPA_DEFAULT_COST=500 is above VESPA_MAX_COST=100", ex.Message, StringComparison.Ordinal);
        Assert.Throws<WorkerOptionsException>(() => Load(("VESPA_MAX_COST", "0.5")));
        Assert.Throws<WorkerOptionsException>(() => Load(("VESPA_MAX_COST", "1e16")));
    }

    [Fact]
    public void Load_DrainTimeout_FitsDockerStopsGracePeriod()
    {
        // docker stop waits 10 s before SIGKILL: the drain plus the final report must fit.
        Assert.True(Load().DrainTimeout + Vespa.Worker.Lifecycle.ShutdownMonitor.FinalReportBudget < TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void Load_SecuredWithoutItsPublicPort_NamesTheMissingVariable()
    {
        var options = Load(("CONTAINER_ID", "1"), ("PUBLIC_IPADDR", "203.0.113.7"), ("WORKER_PORT", "23001"), ("VAST_TCP_PORT_23000", "41000"));

        Assert.Equal("", options.PublicUrl);
        Assert.NotNull(options.PublicUrlProblem);
        Assert.Contains("VAST_TCP_PORT_23001 is not set", options.PublicUrlProblem, StringComparison.Ordinal);
        Assert.Contains("set: VAST_TCP_PORT_23000", options.PublicUrlProblem, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_SecuredWithoutPublicAddress_SaysSo_UnsecuredNeedsNone()
    {
        Assert.Contains("PUBLIC_IPADDR is not set", Load(("CONTAINER_ID", "1")).PublicUrlProblem, StringComparison.Ordinal);
        Assert.Null(Load().PublicUrlProblem);
        Assert.Null(Load(("CONTAINER_ID", "1"), ("PUBLIC_IPADDR", "203.0.113.7"), ("VAST_TCP_PORT_3000", "41234")).PublicUrlProblem);
    }

    [Fact]
    public void Load_HardeningDefaults()
    {
        var options = Load(("CONTAINER_ID", "1"));

        Assert.True(options.CheckUrl);
        Assert.False(options.AllowEncodedSlashes);
        Assert.Equal(256L * 1024 * 1024, options.UnverifiedBodyBudget);
        Assert.Equal(1024, options.MaxClientConnections);
    }

    [Fact]
    public void Load_HardeningKnobs_ReadAndValidated()
    {
        var options = Load(("VESPA_CHECK_URL", "false"), ("VESPA_ALLOW_ENCODED_SLASHES", "yes"), ("VESPA_UNVERIFIED_BODY_BUDGET", "1048576"), ("VESPA_MAX_CLIENT_CONNECTIONS", "50"));

        Assert.False(options.CheckUrl);
        Assert.True(options.AllowEncodedSlashes);
        Assert.Equal(1048576, options.UnverifiedBodyBudget);
        Assert.Equal(50, options.MaxClientConnections);

        var error = Assert.Throws<WorkerOptionsException>(() => Load(("VESPA_UNVERIFIED_BODY_BUDGET", "100"), ("VESPA_CHECK_URL", "maybe")));
        Assert.Contains("VESPA_UNVERIFIED_BODY_BUDGET", error.Message, StringComparison.Ordinal);
        Assert.Contains("VESPA_CHECK_URL", error.Message, StringComparison.Ordinal);
    }
}
