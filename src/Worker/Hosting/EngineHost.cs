using Vespa.Engine;
using Vespa.Engine.Api;
using Vespa.Engine.Models;

namespace Vespa.Worker.Hosting;

/// <summary>Starts the embedded engine's API for a worker without <c>VESPA_BACKEND_URL</c>.</summary>
internal static class EngineHost
{
    public static Task<EngineServer> StartAsync(EngineOptions options, IServiceProvider services, CancellationToken cancellationToken)
    {
        var loggers = services.GetRequiredService<ILoggerFactory>();
        var time = services.GetRequiredService<TimeProvider>();
        var http = services.GetRequiredService<IHttpClientFactory>();
        return EngineServer.StartAsync(
            options,
            ct => ModelSource.ResolveAsync(options, http.CreateClient(nameof(ModelDownloader)), loggers, time, ct),
            loggers,
            time,
            cancellationToken);
    }
}
