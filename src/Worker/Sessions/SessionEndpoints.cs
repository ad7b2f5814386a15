using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Vespa.Core.Envelopes;
using Vespa.Core.Json;
using Vespa.Worker.Admission;
using Vespa.Worker.Envelopes;
using Vespa.Worker.Errors;
using Vespa.Worker.Lifecycle;
using Vespa.Worker.Metrics;
using Vespa.Worker.Options;
using Vespa.Worker.Security;

namespace Vespa.Worker.Sessions;

/// <summary>
/// <c>POST /session/create|end|get|health</c>, compatible with the official worker's answers
/// (vast-protocol.md §4.4), with deliberate fixes: creating a session needs a valid signature
/// (the SDK checks none, so anyone could exhaust the session cap), <c>session_auth</c> is
/// compared in constant time on its canonical form, <c>lifetime</c> is bounded by
/// <c>VESPA_MAX_SESSION_LIFETIME</c>, <c>on_close_route</c> gets the path safety and blocked-path
/// rules of a forwarded request, and <c>on_close_payload</c> is kept up to
/// <see cref="MaxClosePayloadBytes"/>. A create refused with 503 (not ready) or 429 (session cap)
/// is load the autoscaler sent: it counts in <c>rej_load</c> and goes to <c>/delete_requests/</c>
/// as <c>Rejected</c>, as in the SDK.
/// </summary>
internal sealed class SessionEndpoints
{
    public const double DefaultLifetime = 60.0;

    /// <summary>The largest <c>on_close_payload</c> kept with a session (its JSON text, in bytes): 1 MiB.</summary>
    public const int MaxClosePayloadBytes = 1024 * 1024;

    private readonly SessionStore _sessions;
    private readonly SignatureChecker _signatures;
    private readonly AdmissionController _admission;
    private readonly WorkerState _state;
    private readonly WorkerOptions _options;
    private readonly BlockedPathMatcher _blocked;
    private readonly UnverifiedBodyBudget _budget;

    public SessionEndpoints(SessionStore sessions, SignatureChecker signatures, AdmissionController admission, WorkerState state, WorkerOptions options, BlockedPathMatcher blocked, UnverifiedBodyBudget budget)
    {
        _budget = budget;
        _sessions = sessions;
        _signatures = signatures;
        _admission = admission;
        _state = state;
        _options = options;
        _blocked = blocked;
    }

    public async Task CreateAsync(HttpContext context)
    {
        // Unsigned until checked below: held against the same budget as the proxy's envelopes.
        var (body, status) = await RequestBody.ReadAsync(context.Request, _options.MaxBodyBytes, _budget, context.RequestAborted);
        using var _ = body;
        if (body is null)
        {
            await WorkerErrorWriter.WriteAsync(context, status == RequestBodyStatus.BudgetSpent ? WorkerError.UnverifiedBudgetSpent(_budget.Limit) : WorkerError.PayloadTooLarge(_options.MaxBodyBytes));
            return;
        }

        var parsed = EnvelopeParser.Parse(body.Memory);
        if (!parsed.IsValid || parsed.AuthData is not { } auth)
        {
            await WorkerErrorWriter.WriteAsync(context, new WorkerError(StatusCodes.Status422UnprocessableEntity, parsed.IsJson ? "malformed session envelope" : "invalid JSON", parsed.FieldErrors));
            return;
        }

        if (_signatures.Check(auth) is { } signatureError)
        {
            await WorkerErrorWriter.WriteAsync(context, signatureError);
            return;
        }

        if (ReadCreatePayload(parsed.Payload!.Value.Span, out var lifetime, out var route, out var payloadJson) is { } payloadError)
        {
            await WorkerErrorWriter.WriteAsync(context, payloadError);
            return;
        }

        var workload = _admission.GetWorkload(auth);

        if (!_state.IsReady)
        {
            _admission.RecordRejection(auth, workload, RequestOutcome.RejectedNotReady);
            context.Response.Headers.RetryAfter = "1";
            await WorkerErrorWriter.WriteAsync(context, _admission.NotReady());
            return;
        }

        using var authDocument = JsonDocument.Parse(auth.ToJson());
        var canonical = PythonJson.Serialize(authDocument.RootElement);
        var rawAuth = ExtractAuthJson(body.Memory.Span);
        if (_sessions.TryCreate(rawAuth, canonical, auth.RequestIdxValue, auth.ReqnumValue, workload, lifetime, route, payloadJson) is not { } session)
        {
            _admission.RecordRejection(auth, workload, RequestOutcome.RejectedSessionLimit);
            await WorkerErrorWriter.WriteAsync(context, new WorkerError(StatusCodes.Status429TooManyRequests, $"too many open sessions (VESPA_MAX_SESSIONS={_options.MaxSessions})"));
            return;
        }

        context.Response.StatusCode = StatusCodes.Status201Created;
        await WriteAsync(context, json =>
        {
            json.WriteString("session_id", session.Id);
            json.WriteNumber("expiration", session.Expiration);
        });
    }

    public Task EndAsync(HttpContext context) => WithSessionAsync(context, "session with id {0} not found", async (session, ct) =>
    {
        if (!await _sessions.CloseAsync(session, "ended by request", ct))
        {
            await WorkerErrorWriter.WriteAsync(context, new WorkerError(StatusCodes.Status410Gone, "session already closed"));
            return;
        }

        await WriteAsync(context, json =>
        {
            json.WriteBoolean("ended", true);
            json.WriteString("removed_session", session.Id);
        });
    });

    public Task GetAsync(HttpContext context) => WithSessionAsync(context, "session does not exist", (session, _) => WriteAsync(context, json =>
    {
        json.WriteString("session_id", session.Id);
        json.WritePropertyName("auth_data");
        using (var auth = JsonDocument.Parse(session.AuthDataJson))
        {
            auth.RootElement.WriteTo(json);
        }

        json.WriteNumber("lifetime", session.Lifetime);
        json.WriteNumber("expiration", session.Expiration);
        json.WriteNumber("created_at", session.CreatedAt);
        if (session.OnCloseRoute is null)
        {
            json.WriteNull("on_close_route");
        }
        else
        {
            json.WriteString("on_close_route", session.OnCloseRoute);
        }

        json.WritePropertyName("on_close_payload");
        if (session.OnClosePayloadJson is null)
        {
            json.WriteNullValue();
        }
        else
        {
            using var payload = JsonDocument.Parse(session.OnClosePayloadJson);
            payload.RootElement.WriteTo(json);
        }
    }));

    public Task HealthAsync(HttpContext context) => WithSessionAsync(context, notFound: null, (_, _) => WriteAsync(context, json => json.WriteBoolean("ok", true)));

    /// <summary>Reads <c>{"session_id", "session_auth"}</c>, finds the session and checks the credential.</summary>
    private async Task WithSessionAsync(HttpContext context, string? notFound, Func<Session, CancellationToken, Task> action)
    {
        var (body, status) = await RequestBody.ReadAsync(context.Request, 1024 * 1024, _budget, context.RequestAborted);
        using var owned = body;
        if (status == RequestBodyStatus.BudgetSpent)
        {
            await WorkerErrorWriter.WriteAsync(context, WorkerError.UnverifiedBudgetSpent(_budget.Limit));
            return;
        }

        JsonDocument? document = null;
        try
        {
            document = body is null ? null : JsonDocument.Parse(body.Memory);
        }
        catch (JsonException)
        {
        }

        using (document)
        {
            if (document?.RootElement.ValueKind != JsonValueKind.Object)
            {
                await WorkerErrorWriter.WriteAsync(context, new WorkerError(StatusCodes.Status422UnprocessableEntity, "invalid JSON"));
                return;
            }

            var root = document.RootElement;
            if (!root.TryGetProperty("session_id", out var idElement) || idElement.ValueKind != JsonValueKind.String)
            {
                await WorkerErrorWriter.WriteAsync(context, new WorkerError(StatusCodes.Status422UnprocessableEntity, "missing session_id"));
                return;
            }

            var id = idElement.GetString()!;
            if (_sessions.Find(id) is not { } session)
            {
                if (notFound is null)
                {
                    await WriteAsync(context, json => json.WriteBoolean("ok", false));
                }
                else
                {
                    await WorkerErrorWriter.WriteAsync(context, new WorkerError(StatusCodes.Status400BadRequest, string.Format(CultureInfo.InvariantCulture, notFound, id)));
                }

                return;
            }

            var presented = root.TryGetProperty("session_auth", out var auth) ? PythonJson.Serialize(auth) : "";
            if (!SessionStore.Authorizes(session, presented))
            {
                await WorkerErrorWriter.WriteAsync(context, new WorkerError(StatusCodes.Status401Unauthorized, "session_auth is not valid"));
                return;
            }

            await action(session, context.RequestAborted);
        }
    }

    private WorkerError? ReadCreatePayload(ReadOnlySpan<byte> payload, out double lifetime, out string? route, out string? payloadJson)
    {
        lifetime = DefaultLifetime;
        route = null;
        payloadJson = null;
        using var document = JsonDocument.Parse(payload.ToArray());
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            return Invalid("payload", "must be an object with lifetime, on_close_route and on_close_payload");
        }

        if (root.TryGetProperty("lifetime", out var life) && life.ValueKind != JsonValueKind.Null)
        {
            if (life.ValueKind != JsonValueKind.Number || !life.TryGetDouble(out lifetime) || !double.IsFinite(lifetime) || lifetime <= 0)
            {
                return Invalid("lifetime", "must be a positive number of seconds");
            }

            if (lifetime > _options.MaxSessionLifetime)
            {
                return Invalid("lifetime", $"must be at most {_options.MaxSessionLifetime.ToString(CultureInfo.InvariantCulture)} seconds (VESPA_MAX_SESSION_LIFETIME)");
            }
        }

        if (root.TryGetProperty("on_close_route", out var closeRoute) && closeRoute.ValueKind != JsonValueKind.Null)
        {
            // A path on the backend only, as safe as a forwarded one: the callback can never be pointed at another host.
            if (closeRoute.ValueKind != JsonValueKind.String || closeRoute.GetString() is not { } value)
            {
                return Invalid("on_close_route", "must be a path on the backend starting with '/'");
            }

            if (SessionCloseRoute.Problem(value) is { } problem)
            {
                return Invalid("on_close_route", problem);
            }

            var decoded = SessionCloseRoute.DecodedPath(value);
            if (_blocked.IsBlocked(decoded) || _blocked.IsBlocked(value))
            {
                return new WorkerError(StatusCodes.Status403Forbidden, $"payload.on_close_route '{decoded}' is blocked (VESPA_BLOCKED_PATHS): the close callback cannot call it");
            }

            route = value;
        }

        // As in the SDK, the payload is kept only with a route to send it to.
        if (route is not null && root.TryGetProperty("on_close_payload", out var closePayload) && closePayload.ValueKind != JsonValueKind.Null)
        {
            // Measured on the raw bytes, before a copy is made.
            var size = JsonMarshal.GetRawUtf8Value(closePayload).Length;
            if (size > MaxClosePayloadBytes)
            {
                return new WorkerError(
                    StatusCodes.Status413PayloadTooLarge,
                    $"payload.on_close_payload is {size} bytes; a session keeps at most {MaxClosePayloadBytes} (1 MiB)",
                    new Dictionary<string, object> { ["payload"] = new Dictionary<string, string> { ["on_close_payload"] = $"at most {MaxClosePayloadBytes} bytes" } });
            }

            payloadJson = closePayload.GetRawText();
        }

        return null;
    }

    private static WorkerError Invalid(string field, string problem) =>
        new(StatusCodes.Status422UnprocessableEntity, $"payload.{field} {problem}", new Dictionary<string, object> { ["payload"] = new Dictionary<string, string> { [field] = problem } });

    private static string ExtractAuthJson(ReadOnlySpan<byte> envelope)
    {
        using var document = JsonDocument.Parse(envelope.ToArray());
        return document.RootElement.GetProperty("auth_data").GetRawText();
    }

    private static async Task WriteAsync(HttpContext context, Action<Utf8JsonWriter> members)
    {
        context.Response.ContentType = "application/json";
        using var buffer = new MemoryStream();
        await using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            members(json);
            json.WriteEndObject();
        }

        await context.Response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), context.RequestAborted);
    }
}
