using System.Security.Cryptography;
using System.Text;
using Vespa.Worker.Errors;
using Vespa.Worker.Options;

namespace Vespa.Worker.Metrics;

/// <summary>
/// Serves Prometheus text on <c>/metrics</c> without exposing it to the public port: it answers on
/// the optional loopback-only <c>VESPA_METRICS_PORT</c>, on a worker bound to loopback, or to a
/// caller presenting <c>Authorization: Bearer $MASTER_TOKEN</c>; anyone else gets 401.
/// </summary>
internal sealed class MetricsEndpoint
{
    private readonly WorkerMetrics _metrics;
    private readonly WorkerOptions _options;
    private readonly byte[]? _expectedAuthorization;

    public MetricsEndpoint(WorkerMetrics metrics, WorkerOptions options)
    {
        _metrics = metrics;
        _options = options;
        _expectedAuthorization = options.MasterToken.Length > 0 ? Encoding.UTF8.GetBytes("Bearer " + options.MasterToken) : null;
    }

    public async Task HandleAsync(HttpContext context)
    {
        if (!IsAllowed(context))
        {
            await WorkerErrorWriter.WriteAsync(context, new WorkerError(StatusCodes.Status401Unauthorized, "metrics need Authorization: Bearer <MASTER_TOKEN>, or VESPA_METRICS_PORT on loopback"));
            return;
        }

        context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
        await _metrics.Registry.CollectAndExportAsTextAsync(context.Response.Body, context.RequestAborted);
    }

    private bool IsAllowed(HttpContext context)
    {
        if (_options.MetricsPort is { } port && context.Connection.LocalPort == port)
        {
            return true;
        }

        if (_options.Host is "127.0.0.1" or "localhost" or "::1")
        {
            return true;
        }

        if (_expectedAuthorization is null)
        {
            return false;
        }

        var presented = Encoding.UTF8.GetBytes(context.Request.Headers.Authorization.ToString());
        return CryptographicOperations.FixedTimeEquals(presented, _expectedAuthorization);
    }
}
