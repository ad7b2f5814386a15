using System.Net.Http.Headers;
using Vespa.Client.Routing;

namespace Vespa.Client.Requests;

/// <summary>
/// The request <c>call</c> sends to whichever worker the autoscaler picks: a new <see cref="HttpRequestMessage"/>
/// per attempt (a message can be sent only once), with the attempt's signed auth data in the chosen form. Carries no
/// key: nothing of the endpoint or account key reaches a worker.
/// </summary>
internal sealed class WorkerCall
{
    private readonly string _path;
    private readonly string _query;

    /// <param name="method">Any HTTP method.</param>
    /// <param name="pathAndQuery">The path on the worker, with its query string if any, e.g. <c>/v1/models?x=1</c>.</param>
    /// <param name="body">The body; empty for none.</param>
    /// <param name="contentType">The body's content type; <c>null</c> when unknown.</param>
    /// <param name="headers">Extra request headers.</param>
    public WorkerCall(string method, string pathAndQuery, byte[] body, string? contentType, IReadOnlyList<KeyValuePair<string, string>> headers)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(pathAndQuery);
        Method = new HttpMethod(method.ToUpperInvariant());
        var queryStart = pathAndQuery.IndexOf('?', StringComparison.Ordinal);
        _path = queryStart < 0 ? pathAndQuery : pathAndQuery[..queryStart];
        _query = queryStart < 0 ? "" : pathAndQuery[queryStart..];
        Body = body;
        ContentType = contentType;
        Headers = headers;
        Form = WorkerRequestForms.Choose(Method.Method, contentType, hasContentEncoding: false, body);
    }

    public HttpMethod Method { get; }

    public RequestForm Form { get; }

    public byte[] Body { get; }

    public string? ContentType { get; }

    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; }

    public HttpRequestMessage Create(RouteTicket ticket)
    {
        ArgumentNullException.ThrowIfNull(ticket);
        var query = WorkerRequestForms.Query(_query, Form == RequestForm.Query ? ticket.AuthData : null);
        var request = new HttpRequestMessage(Method, WorkerRequestForms.WorkerUri(ticket.WorkerUrl, _path, query));
        foreach (var (name, value) in Headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        if (!request.Headers.Contains("User-Agent"))
        {
            // As the SDK names itself to workers (vastai-sdk/<version>); a -H User-Agent of the caller's wins.
            request.Headers.TryAddWithoutValidation("User-Agent", ClientVersion.UserAgent);
        }

        switch (Form)
        {
            case RequestForm.Envelope:
                request.Content = new ByteArrayContent(WorkerRequestForms.Envelope(ticket.AuthData, Body));
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                break;
            case RequestForm.Header:
                request.Headers.TryAddWithoutValidation(VespaHeaders.AuthData, WorkerRequestForms.HeaderValue(ticket.AuthData));
                request.Content = new ByteArrayContent(Body);
                if (ContentType is not null)
                {
                    request.Content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
                }

                break;
            default:
                if (Body.Length > 0)
                {
                    request.Content = new ByteArrayContent(Body);
                    if (ContentType is not null)
                    {
                        request.Content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
                    }
                }

                break;
        }

        return request;
    }
}
