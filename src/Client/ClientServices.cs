using Vespa.Client.Configuration;

namespace Vespa.Client;

/// <summary>What the commands take from their surroundings: the environment (variables, home directory), the clock,
/// and hooks for tests. <see cref="Default"/> is the real process.</summary>
internal sealed class ClientServices
{
    public static ClientServices Default { get; } = new();

    /// <summary>Variables and home directory. <value>Default: read from the process at first use.</value></summary>
    public ClientEnvironment Environment
    {
        get => field ??= ClientEnvironment.FromProcess();
        init;
    }

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Adjusts the resolved settings before use (tests shorten back-off delays and breaker durations).</summary>
    public Func<ClientSettings, ClientSettings>? TuneSettings { get; init; }

    /// <summary>Called with the proxy's base URL once it listens.</summary>
    public Action<Uri>? ProxyStarted { get; init; }
}
