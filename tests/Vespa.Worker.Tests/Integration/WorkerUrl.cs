using Vespa.Testing;

namespace Vespa.Worker.Tests.Integration;

/// <summary>Helpers shared by the integration tests.</summary>
internal static class WorkerUrl
{
    /// <summary>The public address a secured test worker has (<c>PUBLIC_IPADDR</c>).</summary>
    public const string PublicIp = TestPublicUrl.PublicIp;

    /// <summary>Its external port (<c>VAST_TCP_PORT_0</c>: the tests listen on port 0).</summary>
    public const string PublicPort = TestPublicUrl.PublicPort;

    /// <summary>The url the test autoscaler signs: the secured test worker's own public url.</summary>
    public const string Signed = TestPublicUrl.SignedUrl;

    /// <summary>A unique path segment, so a shared fake backend's records can be told apart per test.</summary>
    public static string Marker() => Guid.NewGuid().ToString("N")[..12];
}
