using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Vespa.Testing;

namespace Vespa.Client.Tests.Infrastructure;

/// <summary>
/// A loopback stand-in for a worker (http, or https with a given certificate) that records every request and answers
/// with scripted steps, in order, then with <see cref="Default"/>. It checks nothing: it shows what the client sent.
/// </summary>
internal sealed class ScriptedWorker : IAsyncDisposable
{
    private readonly ConcurrentQueue<Func<HttpContext, Task>> _steps = new();
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private WebApplication? _app;
    private int _calls;

    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>The URL as the autoscaler hands it out (no trailing slash).</summary>
    public string Url => BaseUrl.GetLeftPart(UriPartial.Authority);

    public int Calls => Volatile.Read(ref _calls);

    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    /// <summary>The answer once the scripted steps are used up. <value>Default: 200 JSON describing the request.</value></summary>
    public Func<HttpContext, Task> Default { get; set; } = WorkerResponses.Describe;

    public static async Task<ScriptedWorker> StartAsync(X509Certificate2? certificate = null)
    {
        var worker = new ScriptedWorker();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0, listen =>
            {
                if (certificate is not null)
                {
                    listen.UseHttps(certificate);
                }
            });
            kestrel.Limits.MaxRequestBodySize = null;
        });
        worker._app = builder.Build();
        worker._app.Run(worker.HandleAsync);
        await worker._app.StartAsync().DefaultTimeout();
        worker.BaseUrl = new Uri(worker._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return worker;
    }

    public void Enqueue(params Func<HttpContext, Task>[] steps)
    {
        foreach (var step in steps)
        {
            _steps.Enqueue(step);
        }
    }

    /// <summary>The <c>auth_data</c> of each envelope request received, in order.</summary>
    public IReadOnlyList<JsonElement> EnvelopeAuthData() =>
        [.. Requests.Where(r => r.Body.Length > 0 && r.Body[0] == (byte)'{').Select(r =>
        {
            using var document = JsonDocument.Parse(r.Body);
            return document.RootElement.TryGetProperty("auth_data", out var auth) ? auth.Clone() : default;
        }).Where(e => e.ValueKind == JsonValueKind.Object)];

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body, context.RequestAborted);
        var headers = request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        _requests.Enqueue(new RecordedRequest(request.Method, request.Path.Value ?? "", request.QueryString.Value ?? "", headers, body.ToArray()));
        Interlocked.Increment(ref _calls);
        context.Items["body"] = body.ToArray();
        var step = _steps.TryDequeue(out var next) ? next : Default;
        await step(context);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync().WaitAsync(TaskTimeoutExtensions.Timeout);
            await _app.DisposeAsync();
        }
    }
}
