using Vespa.Engine.Api;

namespace Vespa.Worker.Metrics;

/// <summary>Copies the embedded engine's counters into the worker's collectors just before a scrape.</summary>
internal static class EngineMetrics
{
    public static void Update(WorkerMetrics metrics, EngineServer server)
    {
        if (server.Engine?.Scheduler is not { } scheduler)
        {
            return;
        }

        metrics.EngineGeneratedTokens.IncTo(scheduler.GeneratedTokens);
        metrics.EnginePromptTokens.IncTo(scheduler.PromptTokens);
        metrics.EngineActiveSequences.Set(scheduler.ActiveSequences);
    }
}
