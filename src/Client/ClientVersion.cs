using System.Reflection;

namespace Vespa.Client;

/// <summary>vespa-client's version and the <c>User-Agent</c> it sends to the autoscaler, the console and workers
/// (the official SDK sends <c>vastai-sdk/&lt;version&gt;</c>; vast-protocol.md §7.3).</summary>
internal static class ClientVersion
{
    /// <summary>The product version (<c>&lt;Version&gt;</c> in the project), without build metadata.</summary>
    public static string Version { get; } = Read();

    /// <summary><c>vespa-client/&lt;version&gt;</c>.</summary>
    public static string UserAgent { get; } = "vespa-client/" + Version;

    private static string Read()
    {
        var informational = typeof(ClientVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? typeof(ClientVersion).Assembly.GetName().Version?.ToString(3)
            ?? "0.0.0";
        // "0.1.0+<commit>": the commit is build metadata, not part of the product's name on the wire.
        var plus = informational.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? informational : informational[..plus];
    }
}
