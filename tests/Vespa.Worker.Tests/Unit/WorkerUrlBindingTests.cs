using Vespa.Worker.Options;
using Vespa.Worker.Security;

namespace Vespa.Worker.Tests.Unit;

public sealed class WorkerUrlBindingTests
{
    private static WorkerUrlBinding Binding(string ip, int port, bool ssl = false) =>
        new(new WorkerOptions { PublicIpAddress = ip, PublicPort = port, UseSsl = ssl, Unsecured = false });

    [Theory]
    [InlineData("203.0.113.7", 41234, "http://203.0.113.7:41234", true)]
    [InlineData("203.0.113.7", 41234, "https://203.0.113.7:41234/", true)]
    [InlineData("203.0.113.7", 41234, "ws://203.0.113.7:41234/path", true)]
    [InlineData("203.0.113.7", 41234, "203.0.113.7:41234", true)]
    [InlineData("203.0.113.7", 41234, "http://203.0.113.7:041234", false)] // more than five digits
    [InlineData("203.0.113.7", 80, "http://203.0.113.7", true)] // scheme's default port
    [InlineData("203.0.113.7", 80, "https://203.0.113.7", false)]
    [InlineData("203.0.113.7", 443, "https://203.0.113.7/", true)]
    [InlineData("203.0.113.7", 80, "203.0.113.7", false)] // no scheme, no port: unknown port
    [InlineData("203.0.113.7", 41234, "http://203.0.113.7:41234@evil:41234", false)]
    [InlineData("203.0.113.7", 41234, "http://evil.example:41234#203.0.113.7:41234", false)]
    [InlineData("203.0.113.7", 41234, "http://203.0.113.70:41234", false)]
    [InlineData("127.0.0.1", 80, "http://127.1:80", false)] // only dotted quads are addresses
    [InlineData("127.0.0.1", 80, "http://2130706433:80", false)]
    [InlineData("127.0.0.1", 80, "http://127.0.0.1:80", true)] // the shared bench's url
    [InlineData("2001:db8::7", 41234, "http://[2001:db8::7]:41234", true)]
    [InlineData("2001:db8::7", 41234, "http://[2001:0DB8:0:0::7]:41234/", true)]
    [InlineData("2001:db8::7", 41234, "http://2001:db8::7:41234", true)] // the unbracketed form the worker reports
    [InlineData("[2001:db8::7]", 41234, "http://[2001:db8::7]:41234", true)]
    [InlineData("2001:db8::7", 41234, "http://[2001:db8::8]:41234", false)]
    [InlineData("2001:db8::7", 41234, "http://[2001:db8::7:41234", false)]
    [InlineData("2001:db8::7", 443, "https://[2001:db8::7]", true)]
    [InlineData("Worker.Example.COM", 41234, "http://worker.example.com:41234", true)] // host names without case
    [InlineData("worker.example.com", 41234, "http://WORKER.example.com.:41234", true)]
    [InlineData("worker.example.com", 41234, "http://203.0.113.7:41234", false)]
    [InlineData("203.0.113.7", 41234, "", false)]
    [InlineData("203.0.113.7", 41234, "http://:41234", false)]
    public void Names_ComparesHostAndPortOnly(string ip, int port, string url, bool expected)
    {
        Assert.Equal(expected, Binding(ip, port).Names(url));
    }

    [Theory]
    [InlineData("203.0.113.7", false, "http://203.0.113.7:41234")]
    [InlineData("203.0.113.7", true, "https://203.0.113.7:41234")]
    [InlineData("2001:db8::7", false, "http://[2001:db8::7]:41234")]
    public void ExpectedUrl_IsThePublicUrl(string ip, bool ssl, string expected)
    {
        Assert.Equal(expected, Binding(ip, 41234, ssl).ExpectedUrl);
    }

    [Fact]
    public void Disabled_WhenUnsecuredOrSwitchedOff()
    {
        Assert.False(new WorkerUrlBinding(new WorkerOptions { PublicIpAddress = "1.2.3.4", PublicPort = 1, Unsecured = true }).Enabled);
        Assert.False(new WorkerUrlBinding(new WorkerOptions { PublicIpAddress = "1.2.3.4", PublicPort = 1, CheckUrl = false }).Enabled);
        Assert.True(new WorkerUrlBinding(new WorkerOptions { PublicIpAddress = "1.2.3.4", PublicPort = 1 }).Enabled);
    }

    [Fact]
    public void NoPublicPort_NoExpectedUrl_NothingNamesIt()
    {
        var binding = new WorkerUrlBinding(new WorkerOptions { PublicIpAddress = "203.0.113.7" });

        Assert.Null(binding.ExpectedUrl);
        Assert.False(binding.Names("http://203.0.113.7:3000"));
    }

    [Fact]
    public void Check_AfterAnAcceptedUrl_RepeatAllocatesNothing_OthersStillRefused()
    {
        var binding = Binding("203.0.113.7", 41234);
        var mine = Vespa.Core.Envelopes.AuthData.Create(1, "ep", 1, 1, "sig", "http://203.0.113.7:41234");
        for (var i = 0; i < 100; i++)
        {
            Assert.Null(binding.Check(mine));
        }

        // The accepted url's raw text is remembered: a repeat is a comparison, no parsing and no allocation.
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            binding.Check(mine);
        }

        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1000);

        // Anything else is still parsed and judged.
        Assert.NotNull(binding.Check(Vespa.Core.Envelopes.AuthData.Create(1, "ep", 1, 1, "sig", "http://203.0.113.70:41234")));
        Assert.NotNull(binding.Check(Vespa.Core.Envelopes.AuthData.Create(1, "ep", 1, 1, "sig", "http://203.0.113.7:41234@evil:41234")));
        Assert.Null(binding.Check(Vespa.Core.Envelopes.AuthData.Create(1, "ep", 1, 1, "sig", "https://203.0.113.7:41234/")));
        Assert.Null(binding.Check(mine));
    }
}
