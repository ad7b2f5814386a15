using Vespa.Testing;

namespace Vespa.Worker.Tests.Integration;

/// <summary>
/// One fake backend, one <c>/pubkey/</c> server and one secured worker shared by a test class
/// (starting Kestrel three times per test would dominate the suite's run time).
/// </summary>
public sealed class ProxyFixture : IAsyncLifetime
{
    public FakeBackend Backend { get; private set; } = null!;

    public PublicKeyServer Keys { get; private set; } = null!;

    internal TestWorker Worker { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Backend = await FakeBackend.StartAsync();
        Keys = await PublicKeyServer.StartAsync(TestAutoscalerKey.Shared.PublicKeyPem);
        Worker = await TestWorker.StartAsync(
            Backend.BaseUrl,
            Keys.BaseUrl,
            ("VESPA_BLOCKED_PATHS", "/admin/*,/internal"),
            ("VESPA_MAX_BODY_BYTES", "65536"));
    }

    public async Task DisposeAsync()
    {
        await Worker.DisposeAsync();
        await Keys.DisposeAsync();
        await Backend.DisposeAsync();
    }
}
