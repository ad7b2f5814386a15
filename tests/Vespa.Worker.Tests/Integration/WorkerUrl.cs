namespace Vespa.Worker.Tests.Integration;

/// <summary>Helpers shared by the integration tests.</summary>
internal static class WorkerUrl
{
    /// <summary>The public address a secured test worker has (<c>PUBLIC_IPADDR</c>).</summary>
    public const string PublicIp = "203.0.113.7";

    /// <summary>Its external port (<c>VAST_TCP_PORT_0</c>: the tests listen on port 0).</summary>
    public const string PublicPort = "41234";

    /// <summary>
    /// The url the test autoscaler signs: the secured test worker's own public url (the scheme is
    /// https while the worker serves http: a url's scheme is not compared).
    /// </summary>
    public const string Signed = "https://" + PublicIp + ":" + PublicPort;

    /// <summary>A unique path segment, so a shared fake backend's records can be told apart per test.</summary>
    public static string Marker() => Guid.NewGuid().ToString("N")[..12];
}
