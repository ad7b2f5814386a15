using System.Net;
using Vespa.Emulator;
using Vespa.Testing;
using Vespa.Worker.Tests.Infrastructure;

namespace Vespa.Worker.Tests.Integration;

/// <summary>Issue 9 finding 6, at the autoscaler: no key means an error and no load time; a rotated key is fetched again.</summary>
public sealed class PublicKeyTests
{
    [Fact]
    public async Task PubkeyDownAtStart_ErrorMsgAndNoLoadtime_ClearsByItselfWhenItComesBack()
    {
        await using var emulator = await AutoscalerEmulator.StartAsync(new EmulatorOptions { Port = 0, PrivateKeyPem = TestAutoscalerKey.Shared.PrivateKeyPem }).DefaultTimeout();
        await using var backend = await FakeBackend.StartAsync();
        emulator.Faults.FailNext(EmulatorOperation.PubKey, 2, 503); // attempts at 0 s and 1 s fail, the one at 3 s works
        await using var worker = await TestWorker.StartAsync(
            backend.BaseUrl,
            emulator.BaseUrl,
            waitForKey: false,
            waitForReady: true,
            ("VESPA_PUBKEY_MAX_RETRIES", "1"),
            ("VESPA_METRICS_UPDATE_INTERVAL", "0.1"),
            ("PUBLIC_IPADDR", "127.0.0.1"),
            ("VAST_TCP_PORT_0", "41234"));

        var missing = await emulator.WaitForStatusReportAsync(r => r.ErrorMsg.Contains("public key not loaded", StringComparison.Ordinal)).DefaultTimeout();
        Assert.Contains("/pubkey/: HTTP 503", missing.ErrorMsg, StringComparison.Ordinal);
        Assert.Equal(0, missing.LoadTime); // the backend is ready, but nothing could be accepted
        Assert.True(worker.State.IsReady);

        var ready = await emulator.WaitForStatusReportAsync(r => r.LoadTime > 0).DefaultTimeout();
        Assert.Equal("", ready.ErrorMsg);
        Assert.Equal(3, emulator.GetAcceptedCount(EmulatorOperation.PubKey) + emulator.Faults.GetFailedAttempts(EmulatorOperation.PubKey));
    }

    [Fact]
    public async Task ForgedSignatures_RefetchTheKeyOnce_NotOncePerRequest()
    {
        await using var h = await ReportingHarness.StartAsync();
        Assert.Equal(1, h.Emulator.GetAcceptedCount(EmulatorOperation.PubKey));

        // Signed for this worker (a wrong url is refused before any key is involved), with another key.
        var forged = TestAutoscalerKey.Other.Sign(ReportingHarness.PublicUrl.ToString(), requestIdx: 91);
        using (var first = await h.PostAsync("/v1/echo", forged).DefaultTimeout())
        {
            Assert.Equal(HttpStatusCode.Unauthorized, first.StatusCode);
        }

        // The autoscaler may have rotated its key: fetched again...
        await TaskTimeoutExtensions.WaitUntilAsync(() => h.Emulator.GetAcceptedCount(EmulatorOperation.PubKey) == 2, "the key to be fetched again");
        for (var i = 0; i < 10; i++)
        {
            using var again = await h.PostAsync("/v1/echo", forged).DefaultTimeout();
            Assert.Equal(HttpStatusCode.Unauthorized, again.StatusCode);
        }

        // ...but at most once per 30 s, however many forged requests come.
        await Task.Delay(300);
        Assert.Equal(2, h.Emulator.GetAcceptedCount(EmulatorOperation.PubKey));
        using var genuine = await h.PostAsync("/v1/echo", h.Route(cost: 1, requestIdx: 92)).DefaultTimeout();
        Assert.Equal(HttpStatusCode.OK, genuine.StatusCode);
    }
}
