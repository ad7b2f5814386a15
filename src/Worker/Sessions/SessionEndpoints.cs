using System.Globalization;
using System.Text.Json;
using Vespa.Core.Envelopes;
using Vespa.Core.Json;
using Vespa.Worker.Admission;
using Vespa.Worker.Envelopes;
using Vespa.Worker.Errors;
using Vespa.Worker.Lifecycle;
using Vespa.Worker.Options;
using Vespa.Worker.Security;

namespace Vespa.Worker.Sessions;

/// <summary>
/// <c>POST /session/create|end|get|health</c>, compatible with the official worker's answers
/// (vast-protocol.md §4.4), with two deliberate fixes: creating a session needs a valid signature
/// (the SDK checks none, so anyone could exhaust the session cap), and <c>session_auth</c> is
/// compared in constant time on its canonical form.
/// </summary>
internal sealed class SessionEndpoints
{
    public const double DefaultLifetime = 60.0;

    private readonly SessionStore _sessions;
    private readonly SignatureChecker _signatures;
    private readonly AdmissionController _admission;
    private readonly WorkerState _state;
    private readonly WorkerOptions _options;

    public SessionEndpoints(SessionStore sessions, SignatureChecker signatures, AdmissionController admission, WorkerState state, WorkerOptions options)
    {
        _sessions = sessions;
        _signatures = signatures;
        _admission = admission;
        _state = state;
        _options = options;
    }

    public async Task CreateAsync(HttpContext context)
    {
        using var body = await RequestBody.ReadAsync(context.Request, _options.MaxBodyBytes, context.RequestAborted);
        if (body is null)
        {
            await WorkerErrorWriter.WriteAsync(context, WorkerError.PayloadTooLarge(_options.MaxBodyBytes));
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
            await WorkerErrorWriter.WriteAsync(context, new WorkerError(StatusCodes.Status503ServiceUnavailable, "worker not ready: " + _state.NotReadyReason));
            return;
        }

        if (!_sessions.HasRoom)
        {
            await WorkerErrorWriter.WriteAsync(context, new WorkerError(StatusCodes.Status429TooManyRequests, $"too many open sessions (VESPA_MAX_SESSIONS={_options.MaxSessions})"));
            return;
        }

        using var authDocument = JsonDocument.Parse(auth.ToJson());
        var canonical = PythonJson.Serialize(authDocument.RootElement);
        var rawAuth = ExtractAuthJson(body.Memory.Span);
        var session = _sessions.Create(rawAuth, canonical, auth.RequestIdxValue, auth.ReqnumValue, workload, lifetime, route, payloadJson);
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
        using var body = await RequestBody.ReadAsync(context.Request, 1024 * 1024, context.RequestAborted);
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

    private static WorkerError? ReadCreatePayload(ReadOnlySpan<byte> payload, out double lifetime, out string? route, out string? payloadJson)
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
        }

        if (root.TryGetProperty("on_close_route", out var closeRoute) && closeRoute.ValueKind != JsonValueKind.Null)
        {
            // A path on the backend only: the callback can never be pointed at another host.
            if (closeRoute.ValueKind != JsonValueKind.String || closeRoute.GetString() is not { } value || !value.StartsWith('/') || value.StartsWith("//", StringComparison.Ordinal))
            {
                return Invalid("on_close_route", "must be a path on the backend starting with '/'");
            }

            route = value;
        }

        if (root.TryGetProperty("on_close_payload", out var closePayload) && closePayload.ValueKind != JsonValueKind.Null)
        {
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
