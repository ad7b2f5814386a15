namespace Vespa.Client.Routing;

/// <summary>One endpoint of the account, from <c>GET /api/v0/endptjobs/</c> (vast-protocol.md §7.1).</summary>
/// <param name="Id">The endpoint job id.</param>
/// <param name="Name"><c>endpoint_name</c>: what <c>/route/</c> takes as <c>endpoint</c>.</param>
/// <param name="ApiKey"><c>api_key</c>: the endpoint key (a secret).</param>
/// <param name="State"><c>endpoint_state</c>, when the console sends it.</param>
internal sealed record EndpointJob(long Id, string Name, string ApiKey, string? State)
{
    // The key is a secret: keep it out of logs.
    public override string ToString() => $"{Name} (id {Id}, {State ?? "state unknown"})";
}
