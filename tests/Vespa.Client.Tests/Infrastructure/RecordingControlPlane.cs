using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Vespa.Testing;

namespace Vespa.Client.Tests.Infrastructure;

/// <summary>
/// A loopback autoscaler and console in one, for the exact requests the client sends: records every request and
/// answers <c>POST /route/</c> (401 for another endpoint key; WAITING without a worker; else READY with a fixed,
/// unverified signature, which a <see cref="ScriptedWorker"/> does not check), <c>GET /api/v0/endptjobs/</c> (401 for
/// another account key) and <c>GET /static/jvastai_root.cer</c> (404 until <see cref="RootCertificate"/> is set).
/// </summary>
internal sealed class RecordingControlPlane : IAsyncDisposable
{
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private LoopbackServer _server = null!;
    private long _nextRequestIdx = 40;
    private long _reqnum;

    public Uri BaseUrl => _server.BaseUrl;

    public string Url => BaseUrl.GetLeftPart(UriPartial.Authority);

    public string EndpointName { get; set; } = "local";

    /// <summary>The key <c>/route/</c> accepts.</summary>
    public string EndpointKey { get; set; } = "local-endpoint-key";

    /// <summary>The key the console listing hands out for the endpoint. <value>Default: <see cref="EndpointKey"/>.</value></summary>
    public string? ListedEndpointKey { get; set; }

    public string AccountKey { get; set; } = "local-account-key";

    /// <summary>Where READY routes point; <c>null</c>: every route is WAITING.</summary>
    public Uri? Worker { get; set; }

    /// <summary>What <c>/static/jvastai_root.cer</c> serves; <c>null</c>: 404.</summary>
    public byte[]? RootCertificate { get; set; }

    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    public IReadOnlyList<RecordedRequest> Routes => [.. _requests.Where(r => r.Path == "/route/")];

    public static async Task<RecordingControlPlane> StartAsync()
    {
        var plane = new RecordingControlPlane();
        plane._server = await LoopbackServer.StartAsync(app => app.Run(plane.HandleAsync));
        return plane;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, context.RequestAborted);
        var body = buffer.ToArray();
        var headers = request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        _requests.Enqueue(new RecordedRequest(request.Method, request.Path.Value ?? "", request.QueryString.Value ?? "", headers, body));
        var bearer = request.Headers.Authorization.ToString() is { } auth && auth.StartsWith("Bearer ", StringComparison.Ordinal) ? auth[7..] : null;
        var response = context.Response;
        switch (request.Path.Value)
        {
            case "/route/" when HttpMethods.IsPost(request.Method):
                if (bearer != EndpointKey)
                {
                    await JsonAsync(response, 401, """{"error": "invalid api key"}""");
                    return;
                }

                using (var document = JsonDocument.Parse(body))
                {
                    var idx = document.RootElement.GetProperty("request_idx").GetInt64();
                    idx = idx == 0 ? Interlocked.Increment(ref _nextRequestIdx) : idx;
                    var cost = document.RootElement.GetProperty("cost").GetRawText();
                    if (Worker is not { } worker)
                    {
                        await JsonAsync(response, 200, $$"""{"endpoint": "{{EndpointName}}", "status": "no workers ready", "request_idx": {{idx}}}""");
                        return;
                    }

                    var url = worker.GetLeftPart(UriPartial.Authority);
                    await JsonAsync(response, 200,
                        $$"""{"endpoint": "{{EndpointName}}", "url": "{{url}}", "cost": {{cost}}, "reqnum": {{Interlocked.Increment(ref _reqnum)}}, "signature": "c2lnbmF0dXJl", "request_idx": {{idx}}, "__request_id": "r"}""");
                }

                return;
            case "/api/v0/endptjobs/" when HttpMethods.IsGet(request.Method):
                if (bearer != AccountKey)
                {
                    await JsonAsync(response, 401, """{"error": "bad account key"}""");
                    return;
                }

                await JsonAsync(response, 200,
                    $$"""{"results": [{"id": 1, "endpoint_name": "{{EndpointName}}", "api_key": "{{ListedEndpointKey ?? EndpointKey}}", "endpoint_state": "active", "user_id": 1, "created_at": 0}]}""");
                return;
            case "/static/jvastai_root.cer" when HttpMethods.IsGet(request.Method) && RootCertificate is { } root:
                response.ContentType = "application/x-x509-ca-cert";
                await response.Body.WriteAsync(root);
                return;
            default:
                response.StatusCode = 404;
                return;
        }
    }

    private static async Task JsonAsync(HttpResponse response, int status, string json)
    {
        response.StatusCode = status;
        response.ContentType = "application/json";
        await response.WriteAsync(json);
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
