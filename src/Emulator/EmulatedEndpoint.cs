namespace Vespa.Emulator;

/// <summary>
/// An endpoint the emulator serves: its name (what <c>/route/</c> bodies carry as <c>endpoint</c>) and its endpoint
/// API key (what clients send as <c>Authorization: Bearer</c> or <c>api_key</c>; vast-protocol.md §7.1–7.2).
/// </summary>
public sealed record EmulatedEndpoint(string Name, string ApiKey)
{
    /// <summary>The endpoint every emulator has unless told otherwise.</summary>
    public static EmulatedEndpoint Default { get; } = new("local", "local-endpoint-key");

    /// <summary>The key given to an endpoint named without one (<c>--endpoint NAME</c>): <c>NAME-endpoint-key</c>.</summary>
    public static string DefaultKeyFor(string name) => name + "-endpoint-key";
}
