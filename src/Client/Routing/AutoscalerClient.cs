using System.Buffers;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Vespa.Client.Http;
using Vespa.Client.Resilience;
using Vespa.Core.Envelopes;

namespace Vespa.Client.Routing;

/// <summary>
/// <c>POST {autoscaler}/route/?api_key=&lt;endpoint key&gt;</c> (vast-protocol.md §7.2), byte for byte what the SDK
/// sends: <c>Authorization: Bearer &lt;endpoint key&gt;</c>, the key again in the query and in the body
/// <c>{"endpoint", "api_key", "cost", "request_idx", "replay_timeout"}</c> (that order), and a <c>User-Agent</c>
/// naming vespa-client. The answer is read as JSON whatever its Content-Type (run.vast.ai has been seen sending odd
/// headers). One call per attempt; the pipeline retries.
/// </summary>
internal sealed class AutoscalerClient(HttpMessageInvoker invoker, Uri autoscalerUrl, TimeSpan callTimeout, TimeProvider time)
{
    /// <summary>The SDK always sends 60.0; its server-side meaning is not documented.</summary>
    private const double ReplayTimeout = 60.0;

    /// <summary>Route answers are small; anything longer is not a route answer.</summary>
    private const int MaxAnswerBytes = 64 * 1024;

    private readonly Uri _routeUrl = new(EnsureTrailingSlash(autoscalerUrl), "route/");

    /// <summary>Asks for a worker. Returns <c>(ticket, null)</c> when READY (and updates
    /// <see cref="CallState.RequestIdx"/>), otherwise <c>(null, outcome)</c>: WAITING, unavailable or refused.</summary>
    public async Task<(RouteTicket? Ticket, AttemptOutcome? Outcome)> RouteAsync(EndpointTarget target, double cost, CallState call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(call);
        using var timeout = new CancellationTokenSource(callTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_routeUrl, "?api_key=" + Uri.EscapeDataString(target.ApiKey)));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", target.ApiKey);
        request.Headers.TryAddWithoutValidation("User-Agent", ClientVersion.UserAgent);
        request.Content = new ByteArrayContent(RouteBody(target.Name, target.ApiKey, cost, call.RequestIdx));
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        HttpResponseMessage response;
        byte[] body;
        try
        {
            response = await invoker.SendAsync(request, linked.Token).ConfigureAwait(false);
            using (response)
            {
                body = await ReadLimitedAsync(response.Content, linked.Token).ConfigureAwait(false);
                if (!response.IsSuccessStatusCode)
                {
                    return (null, Refusal(response, body));
                }
            }
        }
        catch (OperationCanceledException e) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return (null, AttemptOutcome.RouteUnavailable($"the autoscaler did not answer within {callTimeout.TotalSeconds:0.#}s", exception: e));
        }
        catch (HttpRequestException e)
        {
            return (null, AttemptOutcome.RouteUnavailable("the autoscaler cannot be reached: " + TransportErrors.Describe(e), exception: e));
        }
        catch (IOException e)
        {
            return (null, AttemptOutcome.RouteUnavailable("the autoscaler's answer broke: " + e.Message, exception: e));
        }

        return Parse(body, call);
    }

    /// <summary>The READY or WAITING meaning of a 2xx route answer.</summary>
    internal static (RouteTicket? Ticket, AttemptOutcome? Outcome) Parse(byte[] body, CallState call)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return (null, AttemptOutcome.RouteUnavailable("the autoscaler's answer is not a JSON object"));
            }

            if (root.TryGetProperty("request_idx", out var idx) && idx.ValueKind == JsonValueKind.Number && idx.TryGetInt64(out var requestIdx) && requestIdx > 0)
            {
                call.RequestIdx = requestIdx;
            }

            if (!root.TryGetProperty("url", out var url) || url.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(url.GetString()))
            {
                var status = root.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() ?? "" : "";
                return (null, AttemptOutcome.Waiting(status));
            }

            if (!AuthData.TryFromJson(root, out var authData, out var errors))
            {
                return (null, AttemptOutcome.RouteUnavailable("the autoscaler's READY answer lacks " + string.Join(", ", errors.Keys)));
            }

            var workerUrl = url.GetString()!.TrimEnd('/');
            if (!Uri.TryCreate(workerUrl, UriKind.Absolute, out var parsed) || (parsed.Scheme != Uri.UriSchemeHttp && parsed.Scheme != Uri.UriSchemeHttps))
            {
                return (null, AttemptOutcome.RouteUnavailable($"the autoscaler routed to '{workerUrl}', which is not an http(s) URL"));
            }

            call.WorkerUrl = workerUrl;
            return (new RouteTicket(workerUrl, authData!), null);
        }
        catch (JsonException)
        {
            return (null, AttemptOutcome.RouteUnavailable("the autoscaler's answer is not JSON"));
        }
    }

    internal static byte[] RouteBody(string endpoint, string apiKey, double cost, long requestIdx)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("endpoint", endpoint);
            writer.WriteString("api_key", apiKey);
            writer.WriteNumber("cost", cost);
            writer.WriteNumber("request_idx", requestIdx);
            // A Python float in the SDK: written as one here too (60.0, not 60).
            writer.WritePropertyName("replay_timeout");
            writer.WriteRawValue(ReplayTimeout.ToString("0.0##", CultureInfo.InvariantCulture));
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private AttemptOutcome Refusal(HttpResponseMessage response, byte[] body)
    {
        var status = (int)response.StatusCode;
        var message = $"the autoscaler answered {status}{ErrorText(body)}";
        return status is >= 500 or 408 or 429
            ? AttemptOutcome.RouteUnavailable(message, status, RetryAfter.From(response, time))
            : AttemptOutcome.RouteRefused(message, status);
    }

    /// <summary>": &lt;error&gt;" from an <c>{"error": ...}</c> body, else a short excerpt, else nothing.</summary>
    internal static string ErrorText(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty)
        {
            return "";
        }

        try
        {
            using var document = JsonDocument.Parse(body.ToArray());
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.String)
            {
                return ": " + error.GetString();
            }
        }
        catch (JsonException)
        {
            // Not JSON: show the start of the text.
        }

        var text = System.Text.Encoding.UTF8.GetString(body[..Math.Min(body.Length, 200)]).Trim();
        return text.Length == 0 ? "" : ": " + text.ReplaceLineEndings(" ");
    }

    internal static async Task<byte[]> ReadLimitedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var buffer = new MemoryStream();
            var chunk = new byte[8192];
            int read;
            while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > MaxAnswerBytes)
                {
                    throw new IOException($"the answer is longer than {MaxAnswerBytes.ToString(CultureInfo.InvariantCulture)} bytes");
                }

                buffer.Write(chunk, 0, read);
            }

            return buffer.ToArray();
        }
    }

    internal static Uri EnsureTrailingSlash(Uri url) =>
        url.AbsoluteUri.EndsWith('/') ? url : new Uri(url.AbsoluteUri + "/");
}
