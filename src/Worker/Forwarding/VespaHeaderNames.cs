namespace Vespa.Worker.Forwarding;

/// <summary>Header names of Vespa's own protocol extensions.</summary>
public static class VespaHeaderNames
{
    /// <summary>
    /// Raw-body extension: the <c>auth_data</c> object as JSON in this header, the request body
    /// sent as-is (audio, images, multipart). Never forwarded to the backend.
    /// </summary>
    public const string AuthData = "X-Vespa-Auth-Data";
}
