using System.Globalization;
using System.Net;

namespace Vespa.Emulator.Terminal;

/// <summary>
/// The environment a secured vespa-worker needs to report to this emulator as a given worker URL: the worker listens
/// on the URL's port (<c>VESPA_WORKER_PORT</c>), and reports <c>PUBLIC_IPADDR</c> and <c>VAST_TCP_PORT_&lt;port&gt;</c>
/// so that the url in its reports is exactly the registered one (reports are matched to workers by url).
/// </summary>
public static class WorkerEnvironment
{
    /// <summary>The worker vespa-worker is by default: loopback, port 3000.</summary>
    public static Uri DefaultWorker { get; } = new("http://127.0.0.1:3000");

    /// <summary>The variables for the worker at <paramref name="worker"/> (container id <paramref name="containerId"/>),
    /// as <c>NAME=value</c> pairs in the order a shell line lists them.</summary>
    public static IReadOnlyList<string> For(Uri reportAddress, Uri worker, int containerId)
    {
        ArgumentNullException.ThrowIfNull(reportAddress);
        ArgumentNullException.ThrowIfNull(worker);
        var port = worker.Port.ToString(CultureInfo.InvariantCulture);
        var host = worker.IdnHost;
        var variables = new List<string>
        {
            "REPORT_ADDR=" + reportAddress.OriginalString.TrimEnd('/'),
            "CONTAINER_ID=" + containerId.ToString(CultureInfo.InvariantCulture),
            "MASTER_TOKEN=local-master-token",
            "PUBLIC_IPADDR=" + host,
        };
        if (worker.Port != 3000)
        {
            variables.Add("VESPA_WORKER_PORT=" + port);
        }

        variables.Add($"VAST_TCP_PORT_{port}={port}");
        if (worker.Scheme == Uri.UriSchemeHttps)
        {
            variables.Add("VESPA_USE_SSL=true");
        }

        // A worker on this machine stays on loopback; one reached at another address must listen there (the default).
        if (worker.IsLoopback || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address)))
        {
            variables.Add("VESPA_HOST=127.0.0.1");
        }

        return variables;
    }
}
