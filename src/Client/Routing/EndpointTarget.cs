namespace Vespa.Client.Routing;

/// <summary>The endpoint a call goes to and the endpoint key <c>/route/</c> accepts for it. The key goes to the
/// autoscaler only, never to a worker.</summary>
/// <param name="Name">The endpoint name.</param>
/// <param name="ApiKey">The endpoint key (a secret).</param>
/// <param name="KeyFromConsole">Whether the key was looked up in the console's listing just now (so it is current)
/// rather than given by the user.</param>
internal sealed record EndpointTarget(string Name, string ApiKey, bool KeyFromConsole = false)
{
    // The key is a secret: keep it out of logs and exception messages.
    public override string ToString() => Name;
}
