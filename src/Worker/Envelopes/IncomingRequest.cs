using Vespa.Core.Envelopes;
using Vespa.Worker.Errors;
using Vespa.Worker.Forwarding;

namespace Vespa.Worker.Envelopes;

/// <summary>
/// A request after its envelope was read: either an error to answer with, or the auth data
/// (absent in unsecured pass-through) and the plan for the backend. Owns the pooled body.
/// </summary>
internal sealed class IncomingRequest : IDisposable
{
    private readonly RequestBody? _body;

    private IncomingRequest(AuthData? authData, ForwardingPlan? plan, WorkerError? error, RequestBody? body)
    {
        AuthData = authData;
        Plan = plan;
        Error = error;
        _body = body;
    }

    /// <summary>The auth fields; <c>null</c> for an unsecured pass-through request.</summary>
    public AuthData? AuthData { get; }

    public ForwardingPlan? Plan { get; }

    public WorkerError? Error { get; }

    /// <summary>The envelope's <c>session_id</c>, when the request belongs to a session.</summary>
    public string? SessionId { get; private init; }

    public static IncomingRequest Rejected(WorkerError error, RequestBody? body = null) => new(null, null, error, body);

    public static IncomingRequest Accepted(AuthData? authData, ForwardingPlan plan, RequestBody? body = null, string? sessionId = null) =>
        new(authData, plan, null, body) { SessionId = sessionId };

    /// <summary>The signature checked out (or none is needed): the body stops counting against the unverified budget.</summary>
    public void MarkVerified() => _body?.ReleaseBudget();

    public void Dispose() => _body?.Dispose();
}
