using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Vespa.Perf.Soak;

/// <summary>
/// The inference server stand-in on 127.0.0.1:0: <c>/health</c>; <c>/sse?n=N&amp;delay_ms=D</c> streams N events;
/// <c>/slow?ms=M</c> answers after M ms; <c>/status/C</c> answers C; anything else echoes the body.
/// </summary>
internal sealed class SoakBackend : IAsyncDisposable
{
    private readonly WebApplication _app;

    private SoakBackend(WebApplication app, Uri baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    public Uri BaseUrl { get; }

    public static async Task<SoakBackend> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, 0);
            k.Limits.MaxRequestBodySize = null;
        });
        var app = builder.Build();
        app.Run(HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new SoakBackend(app, new Uri(address));
    }

    private static async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var response = context.Response;
        var ct = context.RequestAborted;
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body, ct);
        var path = request.Path.Value ?? "/";
        switch (path)
        {
            case "/health":
                await response.WriteAsync("ok", ct);
                return;
            case "/sse":
                response.ContentType = "text/event-stream";
                var events = Int(request, "n", 10);
                var delay = Int(request, "delay_ms", 0);
                for (var i = 0; i < events; i++)
                {
                    await response.WriteAsync("data: {\"token\":" + i.ToString(CultureInfo.InvariantCulture) + "}\n\n", ct);
                    await response.Body.FlushAsync(ct);
                    if (delay > 0)
                    {
                        await Task.Delay(delay, ct);
                    }
                }

                await response.WriteAsync("data: [DONE]\n\n", ct);
                return;
            case "/slow":
                await Task.Delay(Int(request, "ms", 100), ct);
                await response.WriteAsync("slow done", ct);
                return;
            default:
                if (path.StartsWith("/status/", StringComparison.Ordinal))
                {
                    response.StatusCode = int.Parse(path["/status/".Length..], CultureInfo.InvariantCulture);
                    await response.WriteAsync("{\"backend_error\":true}", ct);
                    return;
                }

                response.ContentType = "application/json";
                await response.Body.WriteAsync(body.ToArray(), ct);
                return;
        }
    }

    private static int Int(HttpRequest request, string name, int fallback) =>
        int.TryParse(request.Query[name], NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : fallback;

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
