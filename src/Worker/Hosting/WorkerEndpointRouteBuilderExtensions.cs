using Vespa.Worker.Forwarding;
using Vespa.Worker.Metrics;

namespace Vespa.Worker.Hosting;

/// <summary>The worker's routes: its own endpoints first, then the catch-all proxy.</summary>
internal static class WorkerEndpointRouteBuilderExtensions
{
    public static IEndpointRouteBuilder MapVespaWorker(this IEndpointRouteBuilder endpoints)
    {
        // Liveness: no auth, never forwarded.
        endpoints.MapMethods("/ping", [HttpMethods.Get, HttpMethods.Head], () => Results.Text("pong"));

        var metrics = endpoints.ServiceProvider.GetRequiredService<MetricsEndpoint>();
        endpoints.MapGet("/metrics", metrics.HandleAsync);

        var proxy = endpoints.ServiceProvider.GetRequiredService<ProxyRequestHandler>();
        endpoints.Map("/{**path}", proxy.HandleAsync);
        return endpoints;
    }
}
