namespace Vespa.Client.Requests;

/// <summary>How the signed auth data travels to the worker (vast-protocol.md §1 and the worker's raw-body extension).</summary>
internal enum RequestForm
{
    /// <summary>POST/PUT/PATCH with a JSON body: <c>{"auth_data", "session_id": null, "payload": &lt;the body&gt;}</c>.</summary>
    Envelope,

    /// <summary>GET/DELETE/HEAD and other methods: <c>serverless_*</c> query parameters; a body, if any, as it is.</summary>
    Query,

    /// <summary>Any other body (binary, multipart, encoded, not JSON, empty): the <c>X-Vespa-Auth-Data</c> header,
    /// the body as it is.</summary>
    Header,
}
