using Vespa.Worker.Forwarding;
using Vespa.Worker.Metrics;
using Vespa.Worker.Sessions;

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

        // Sessions and the update hook of the official worker (vast-protocol.md §4.3–4.4).
        var sessions = endpoints.ServiceProvider.GetRequiredService<SessionEndpoints>();
        endpoints.MapPost("/session/create", sessions.CreateAsync);
        endpoints.MapPost("/session/end", sessions.EndAsync);
        endpoints.MapPost("/session/get", sessions.GetAsync);
        endpoints.MapPost("/session/health", sessions.HealthAsync);
        endpoints.MapPost("/pyworker/update", endpoints.ServiceProvider.GetRequiredService<PyworkerUpdateEndpoint>().HandleAsync);

        var proxy = endpoints.ServiceProvider.GetRequiredService<ProxyRequestHandler>();
        endpoints.Map("/{**path}", proxy.HandleAsync);
        return endpoints;
    }
}
