using System.Diagnostics.CodeAnalysis;

namespace Vespa.Client.Configuration;

/// <summary>
/// The vast.ai instances and their URLs (vast-protocol.md §7.5): the autoscaler as the SDK names it, the console as
/// the claudius proxy's key lookup does. An unknown name is an error (claudius silently maps it to alpha).
/// </summary>
internal sealed record VastInstance(string Name, Uri AutoscalerUrl, Uri ConsoleUrl)
{
    public static IReadOnlyList<VastInstance> All { get; } =
    [
        new("prod", new Uri("https://run.vast.ai"), new Uri("https://console.vast.ai")),
        new("alpha", new Uri("https://run-alpha.vast.ai"), new Uri("https://alpha.vast.ai")),
        new("candidate", new Uri("https://run-candidate.vast.ai"), new Uri("https://candidate.vast.ai")),
    ];

    public static IEnumerable<string> Names => All.Select(i => i.Name);

    public static bool TryGet(string? name, [NotNullWhen(true)] out VastInstance? instance)
    {
        instance = All.FirstOrDefault(i => string.Equals(i.Name, name, StringComparison.OrdinalIgnoreCase));
        return instance is not null;
    }
}
