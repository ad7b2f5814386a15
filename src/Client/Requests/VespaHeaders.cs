namespace Vespa.Client.Requests;

/// <summary>Header names the client reads or writes.</summary>
internal static class VespaHeaders
{
    /// <summary>The worker's raw-body extension: the <c>auth_data</c> object as JSON, the body sent as it is (the
    /// worker's <c>VespaHeaderNames.AuthData</c>; the worker strips it before its backend).</summary>
    public const string AuthData = "X-Vespa-Auth-Data";

    /// <summary>The proxy's per-request workload (the claudius proxy's header).</summary>
    public const string Cost = "X-Serverless-Cost";
}
