namespace Vespa.Worker.Options;

/// <summary>
/// The worker's public base URL as the autoscaler routes to it (vast-protocol.md §4.1):
/// <c>http[s]://{PUBLIC_IPADDR}:{VAST_TCP_PORT_&lt;WORKER_PORT&gt;}</c>. One formatter for the worker's reports and
/// the launch-failure beacon, so the two never disagree.
/// </summary>
internal static class PublicAddress
{
    /// <summary>The URL, or empty when the address or the external port is unknown.</summary>
    public static string Format(bool useSsl, string? ipAddress, int? publicPort) =>
        string.IsNullOrEmpty(ipAddress) || publicPort is null
            ? ""
            : $"{(useSsl ? "https" : "http")}://{ipAddress}:{publicPort}";

    /// <summary>The variable through which vast.ai tells the external port mapped to <paramref name="workerPort"/>.</summary>
    public static string PortVariable(int workerPort) => $"VAST_TCP_PORT_{workerPort}";
}
