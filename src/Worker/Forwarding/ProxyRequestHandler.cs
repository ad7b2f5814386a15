using Vespa.Worker.Envelopes;
using Vespa.Worker.Errors;
using Vespa.Worker.Security;

namespace Vespa.Worker.Forwarding;

/// <summary>
/// The catch-all endpoint: every method and path that is not the worker's own goes through here.
/// An orchestrator with numbered steps; each step answers and stops, or hands on.
/// </summary>
internal sealed class ProxyRequestHandler
{
    private readonly BlockedPathMatcher _blocked;
    private readonly EnvelopeReader _envelopes;
    private readonly SignatureChecker _signatures;
    private readonly BackendForwarder _forwarder;

    public ProxyRequestHandler(BlockedPathMatcher blocked, EnvelopeReader envelopes, SignatureChecker signatures, BackendForwarder forwarder)
    {
        _blocked = blocked;
        _envelopes = envelopes;
        _signatures = signatures;
        _forwarder = forwarder;
    }

    public async Task HandleAsync(HttpContext context)
    {
        // Step 1: blocked paths are refused before anything is read (403, as the universal PyWorker).
        var path = context.Request.Path.Value ?? "/";
        if (_blocked.IsBlocked(path))
        {
            await WorkerErrorWriter.WriteAsync(context, WorkerError.Blocked(path));
            return;
        }

        // Step 2: find the auth data and what the backend will receive; malformed input is 4xx here.
        IncomingRequest incoming;
        try
        {
            incoming = await _envelopes.ReadAsync(context);
        }
        catch (BadHttpRequestException ex)
        {
            // Truncated, too slow or oversized (chunked) bodies: the caller's mistake, so a 4xx, never a 500.
            await WorkerErrorWriter.WriteAsync(context, new WorkerError(ex.StatusCode, "could not read the request body: " + ex.Message));
            return;
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return;
        }

        using var _ = incoming;
        if (incoming.Error is { } envelopeError)
        {
            await WorkerErrorWriter.WriteAsync(context, envelopeError);
            return;
        }

        // Step 3: the signature, before the payload is used or anything is forwarded.
        if (incoming.AuthData is { } authData && _signatures.Check(authData) is { } signatureError)
        {
            await WorkerErrorWriter.WriteAsync(context, signatureError);
            return;
        }

        // Step 4: forward and relay; errors map to 502/504 or an aborted stream.
        await _forwarder.ForwardAsync(context, incoming.Plan!);
    }
}
