using System.Text.Json;
using Microsoft.Extensions.Primitives;
using Vespa.Core.Envelopes;
using Vespa.Worker.Errors;
using Vespa.Worker.Forwarding;
using Vespa.Worker.Options;

namespace Vespa.Worker.Envelopes;

/// <summary>
/// Finds a request's auth data and decides what the backend receives (vast-protocol.md §1):
/// <list type="number">
/// <item>the <c>X-Vespa-Auth-Data</c> header (raw-body extension): the body is forwarded as-is;</item>
/// <item><c>serverless_*</c> query parameters (GET/DELETE/HEAD form, accepted on any method): the body, if any, is forwarded as-is;</item>
/// <item>POST/PUT/PATCH: the body is the envelope <c>{"auth_data", "payload", "session_id"}</c>; the payload bytes are forwarded;</item>
/// <item>none of these: unsecured pass-through of the whole request, or 401/422 when secured.</item>
/// </list>
/// Nothing here checks the signature: that follows, before anything is forwarded.
/// </summary>
internal sealed class EnvelopeReader
{
    private const string JsonContentType = "application/json";

    private readonly WorkerOptions _options;
    private readonly UnverifiedBodyBudget _budget;

    public EnvelopeReader(WorkerOptions options, UnverifiedBodyBudget budget)
    {
        _options = options;
        _budget = budget;
    }

    // ValueTask: a small body has usually arrived with the headers, so this completes synchronously (no task per request).
    public async ValueTask<IncomingRequest> ReadAsync(HttpContext context)
    {
        var request = context.Request;
        var query = QueryStringFilter.Filter(request.QueryString);

        if (request.Headers.TryGetValue(VespaHeaderNames.AuthData, out var header))
        {
            return FromHeader(header, query);
        }

        // request.Query parses the query string into a collection: only when there is one.
        if (request.QueryString.HasValue && HasServerlessParameters(request.Query))
        {
            return FromQuery(request, query);
        }

        if (HttpMethods.IsPost(request.Method) || HttpMethods.IsPut(request.Method) || HttpMethods.IsPatch(request.Method))
        {
            return await FromBodyAsync(context, query);
        }

        if (_options.Unsecured)
        {
            return IncomingRequest.Accepted(null, new ForwardingPlan { Query = query });
        }

        return IncomingRequest.Rejected(new WorkerError(
            StatusCodes.Status401Unauthorized,
            $"{request.Method} requests require auth_data in query parameters (serverless_cost, serverless_endpoint, serverless_reqnum, serverless_request_idx, serverless_signature, serverless_url) or in the {VespaHeaderNames.AuthData} header"));
    }

    private static bool HasServerlessParameters(IQueryCollection query)
    {
        foreach (var key in query.Keys)
        {
            if (key.StartsWith(QueryStringFilter.ServerlessPrefix, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static IncomingRequest FromHeader(StringValues header, QueryString query)
    {
        if (header.Count != 1)
        {
            return Malformed($"{VespaHeaderNames.AuthData} must appear once", new Dictionary<string, object> { [VespaHeaderNames.AuthData] = "must appear once" });
        }

        try
        {
            using var document = JsonDocument.Parse(header[0] ?? "");
            if (!AuthData.TryFromJson(document.RootElement, out var authData, out var errors))
            {
                return Malformed($"{VespaHeaderNames.AuthData} is not a valid auth_data object", new Dictionary<string, object> { ["auth_data"] = errors });
            }

            return IncomingRequest.Accepted(authData, new ForwardingPlan { Query = query });
        }
        catch (JsonException)
        {
            return Malformed($"{VespaHeaderNames.AuthData} is not valid JSON", new Dictionary<string, object> { [VespaHeaderNames.AuthData] = "invalid JSON" });
        }
    }

    private static IncomingRequest FromQuery(HttpRequest request, QueryString query)
    {
        static string? First(IQueryCollection q, string name) => q.TryGetValue(name, out var v) && v.Count > 0 ? v[0] : null;

        var q = request.Query;
        if (!AuthData.TryFromQuery(
                First(q, "serverless_cost"),
                First(q, "serverless_endpoint"),
                First(q, "serverless_reqnum"),
                First(q, "serverless_request_idx"),
                First(q, "serverless_signature"),
                First(q, "serverless_url"),
                request.Path.Value ?? "/",
                out var authData,
                out var errors))
        {
            return Malformed("invalid auth_data in query parameters", new Dictionary<string, object>(errors.Select(e => KeyValuePair.Create(e.Key, (object)e.Value))));
        }

        return IncomingRequest.Accepted(authData, new ForwardingPlan { Query = query });
    }

    private async ValueTask<IncomingRequest> FromBodyAsync(HttpContext context, QueryString query)
    {
        var (body, status) = await RequestBody.ReadAsync(context.Request, _options.MaxBodyBytes, _budget, context.RequestAborted);
        if (body is null)
        {
            return IncomingRequest.Rejected(status == RequestBodyStatus.BudgetSpent
                ? WorkerError.UnverifiedBudgetSpent(_budget.Limit)
                : WorkerError.PayloadTooLarge(_options.MaxBodyBytes));
        }

        var parsed = EnvelopeParser.Parse(body.Memory);
        if (!parsed.HasAuthData && _options.Unsecured)
        {
            // Unsecured pass-through (the universal PyWorker's): a body without auth_data is the payload itself.
            return IncomingRequest.Accepted(null, new ForwardingPlan { Body = body.Memory, Query = query }, body);
        }

        if (parsed.FieldErrors.Count > 0 || parsed.AuthData is null || parsed.Payload is null)
        {
            var message = parsed.IsJson ? "malformed envelope: " + Describe(parsed.FieldErrors) : "invalid JSON";
            return IncomingRequest.Rejected(new WorkerError(StatusCodes.Status422UnprocessableEntity, message, parsed.FieldErrors), body);
        }

        return IncomingRequest.Accepted(parsed.AuthData, new ForwardingPlan { Body = parsed.Payload, ContentType = JsonContentType, Query = query }, body, parsed.SessionIdText);
    }

    private static IncomingRequest Malformed(string message, IReadOnlyDictionary<string, object> fields) =>
        IncomingRequest.Rejected(new WorkerError(StatusCodes.Status422UnprocessableEntity, message, fields));

    private static string Describe(IReadOnlyDictionary<string, object> errors) =>
        string.Join("; ", errors.Where(e => e.Key != "error").Select(e => e.Value switch
        {
            IEnumerable<KeyValuePair<string, string>> inner => string.Join(", ", inner.Select(i => $"{e.Key}.{i.Key} {i.Value}")),
            _ => $"{e.Key} {e.Value}",
        }));
}
