using Vespa.Client.Tests.Infrastructure;
using Vespa.Emulator;
using Vespa.Testing;

namespace Vespa.Client.Tests.Integration;

/// <summary>One emulator, one OpenAI-speaking backend and one real secured worker between them, shared by a test
/// class (the worker's start-up is the slow part).</summary>
public sealed class RealWorkerFixture : IAsyncLifetime
{
    internal AutoscalerEmulator Emulator { get; private set; } = null!;

    internal OpenAiBackend Backend { get; private set; } = null!;

    internal RealWorker Worker { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Emulator = await EmulatorTestKit.StartAsync();
        Backend = await OpenAiBackend.StartAsync();
        Worker = await RealWorker.StartAsync(Backend.BaseUrl, Emulator);
    }

    public async Task DisposeAsync()
    {
        await Worker.DisposeAsync();
        await Backend.DisposeAsync();
        await Emulator.DisposeAsync();
    }
}
