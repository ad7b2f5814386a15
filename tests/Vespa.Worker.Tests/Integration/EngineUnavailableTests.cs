using System.Net;
using Vespa.Testing;
using Vespa.Worker.Lifecycle;

namespace Vespa.Worker.Tests.Integration;

/// <summary>Without usable llama.cpp libraries the worker stays up and says why the engine is off.</summary>
public sealed class EngineUnavailableTests
{
    [Fact]
    public async Task NoUsableModel_WorkerFailsStartupWithTheReason()
    {
        var cache = Path.Combine(Path.GetTempPath(), "vespa-missing-" + Guid.NewGuid().ToString("N"));
        await using var worker = await TestWorker.StartAsync(
            null,
            null,
            waitForKey: false,
            waitForReady: false,
            ("VESPA_MODEL", Path.Combine(cache, "does-not-exist.gguf")),
            ("VESPA_MODEL_CACHE", cache));

        await TaskTimeoutExtensions.WaitUntilAsync(() => worker.State.Phase == WorkerPhase.Failed, "start-up to fail");

        Assert.StartsWith("embedded engine unavailable:", worker.State.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains("VESPA_BACKEND_URL", worker.State.ErrorMessage, StringComparison.Ordinal);
        using var response = await worker.Client.GetAsync("/v1/models").DefaultTimeout();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
    }
}
