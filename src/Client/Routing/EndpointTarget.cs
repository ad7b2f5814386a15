namespace Vespa.Client.Routing;

/// <summary>The endpoint a call goes to and the endpoint key <c>/route/</c> accepts for it. The key goes to the
/// autoscaler only, never to a worker.</summary>
internal sealed record EndpointTarget(string Name, string ApiKey)
{
    // The key is a secret: keep it out of logs and exception messages.
    public override string ToString() => Name;
}
