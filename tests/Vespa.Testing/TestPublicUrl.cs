namespace Vespa.Testing;

/// <summary>
/// The public address a secured <see cref="TestWorker"/> has (<c>PUBLIC_IPADDR</c>, and
/// <c>VAST_TCP_PORT_0</c>: test workers listen on port 0), and the url the tests sign for it: a
/// secured worker accepts only auth_data whose url names it.
/// </summary>
public static class TestPublicUrl
{
    public const string PublicIp = "203.0.113.7";

    public const string PublicPort = "41234";

    /// <summary>The worker's own url as the test autoscaler signs it (https while the worker serves http: a url's scheme is not compared).</summary>
    public const string SignedUrl = "https://" + PublicIp + ":" + PublicPort;
}
