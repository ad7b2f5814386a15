namespace Vespa.Worker.Tests.Integration;

/// <summary>Helpers shared by the integration tests.</summary>
internal static class WorkerUrl
{
    /// <summary>The url the test autoscaler signs (any string: the worker does not compare it with its own).</summary>
    public const string Signed = "https://203.0.113.7:41234";

    /// <summary>A unique path segment, so a shared fake backend's records can be told apart per test.</summary>
    public static string Marker() => Guid.NewGuid().ToString("N")[..12];
}
