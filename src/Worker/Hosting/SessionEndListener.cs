using System.Net;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Vespa.Worker.Errors;

namespace Vespa.Worker.Hosting;

/// <summary>
/// The official worker's second listener (vast-protocol.md §3.1, §4.4): plain HTTP on
/// <c>WORKER_HTTP_PORT</c> (default <c>WORKER_PORT + 1</c>) serving only <c>POST /session/end</c>,
/// so a session can be closed without TLS. Like the SDK it is opened whether TLS is on or not, and
/// it binds the same interface as the main port (loopback when unsecured). Its connections are
/// tagged, and anything else asked on them is answered 404 (405 for another method on the route)
/// before it reaches a handler or the backend.
/// </summary>
internal sealed class SessionEndListener
{
    public const string Route = "/session/end";

    private const string Marker = "vespa.session-end-listener";

    private ListenOptions? _listen;

    /// <summary>Where it listens once started (the real port when 0 was asked); null when there is none.</summary>
    public Uri? Address => _listen?.IPEndPoint is { } endPoint ? new Uri("http://" + endPoint) : null;

    public void Listen(KestrelServerOptions kestrel, IPAddress address, int port) =>
        kestrel.Listen(address, port, listen =>
        {
            _listen = listen;
            listen.Use(next => connection =>
            {
                connection.Items[Marker] = true;
                return next(connection);
            });
        });

    /// <summary>Middleware: on this listener's connections only <c>POST /session/end</c> goes on.</summary>
    public static async Task FilterAsync(HttpContext context, RequestDelegate next)
    {
        if (context.Features.Get<IConnectionItemsFeature>()?.Items.ContainsKey(Marker) != true)
        {
            await next(context);
            return;
        }

        if (!string.Equals(context.Request.Path.Value, Route, StringComparison.Ordinal))
        {
            await WorkerErrorWriter.WriteAsync(context, new WorkerError(StatusCodes.Status404NotFound, "this port serves only POST /session/end"));
            return;
        }

        if (!HttpMethods.IsPost(context.Request.Method))
        {
            context.Response.Headers.Allow = HttpMethods.Post;
            await WorkerErrorWriter.WriteAsync(context, new WorkerError(StatusCodes.Status405MethodNotAllowed, "/session/end takes POST"));
            return;
        }

        await next(context);
    }
}
