using System.Net.Http.Headers;
using System.Text.Json;
using Polly;
using Vespa.Client.Http;
using Vespa.Client.Resilience;

namespace Vespa.Client.Routing;

/// <summary>
/// The console's endpoint listing as the SDK asks for it (vast-protocol.md §7.1),
/// <c>GET {console}/api/v0/endptjobs/?client_id=me&amp;api_key=&lt;account key&gt;</c> with
/// <c>Authorization: Bearer &lt;account key&gt;</c> and a <c>User-Agent</c> naming vespa-client, plus the claudius
/// proxy's <c>autoscaler_instance=&lt;instance&gt;</c> (the alpha and candidate consoles list by it). Runs through the
/// client's pipeline: 5xx and transport errors are retried.
/// </summary>
internal sealed class ConsoleClient(HttpMessageInvoker invoker, Uri consoleUrl, string instance, TimeSpan callTimeout, ResiliencePipeline<AttemptOutcome> pipeline, TimeProvider time)
{
    private readonly Uri _listUrl = new(AutoscalerClient.EnsureTrailingSlash(consoleUrl), "api/v0/endptjobs/");

    /// <summary>The account's endpoints; the result's outcome is <see cref="OutcomeKind.ControlDone"/> with an
    /// <see cref="IReadOnlyList{EndpointJob}"/> value, or says why not.</summary>
    public Task<CallResult> ListAsync(string accountKey, IProgressSink progress, CancellationToken cancellationToken)
    {
        var state = new CallState(progress, cancellationToken);
        progress.Report("listing endpoints");
        return RequestPipeline.ExecuteAsync(pipeline, state, (_, token) => ListOnceAsync(accountKey, token), cancellationToken);
    }

    private async ValueTask<AttemptOutcome> ListOnceAsync(string accountKey, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(callTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var query = $"?client_id=me&api_key={Uri.EscapeDataString(accountKey)}&autoscaler_instance={Uri.EscapeDataString(instance)}";
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_listUrl, query));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accountKey);
        request.Headers.TryAddWithoutValidation("User-Agent", ClientVersion.UserAgent);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        try
        {
            using var response = await invoker.SendAsync(request, linked.Token).ConfigureAwait(false);
            var body = await ReadAsync(response.Content, linked.Token).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            if (!response.IsSuccessStatusCode)
            {
                var message = $"the console answered {status}{AutoscalerClient.ErrorText(body)}";
                return status is >= 500 or 408 or 429
                    ? AttemptOutcome.ControlUnavailable(message, status, RetryAfter.From(response, time))
                    : AttemptOutcome.ControlRefused(message, status);
            }

            return TryParse(body, out var jobs, out var error)
                ? AttemptOutcome.ControlDone(jobs)
                : AttemptOutcome.ControlUnavailable("the console's endpoint list is unreadable: " + error);
        }
        catch (OperationCanceledException e) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return AttemptOutcome.ControlUnavailable($"the console did not answer within {callTimeout.TotalSeconds:0.#}s", exception: e);
        }
        catch (HttpRequestException e)
        {
            return AttemptOutcome.ControlUnavailable("the console cannot be reached: " + TransportErrors.Describe(e), exception: e);
        }
        catch (IOException e)
        {
            return AttemptOutcome.ControlUnavailable("the console's answer broke: " + e.Message, exception: e);
        }
    }

    /// <summary>Reads <c>{"results": [{"id", "endpoint_name", "api_key", "endpoint_state"?, ...}, ...]}</c>; items
    /// without a name or key are skipped.</summary>
    internal static bool TryParse(byte[] body, out IReadOnlyList<EndpointJob> jobs, out string error)
    {
        jobs = [];
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("results", out var results) || results.ValueKind != JsonValueKind.Array)
            {
                error = "no 'results' list";
                return false;
            }

            var list = new List<EndpointJob>();
            foreach (var item in results.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Object
                    || !item.TryGetProperty("endpoint_name", out var name) || name.ValueKind != JsonValueKind.String
                    || !item.TryGetProperty("api_key", out var key) || key.ValueKind != JsonValueKind.String)
                {
                    continue;
                }

                var id = item.TryGetProperty("id", out var idValue) && idValue.ValueKind == JsonValueKind.Number && idValue.TryGetInt64(out var number) ? number : 0;
                var state = item.TryGetProperty("endpoint_state", out var stateValue) && stateValue.ValueKind == JsonValueKind.String ? stateValue.GetString() : null;
                list.Add(new EndpointJob(id, name.GetString()!, key.GetString()!, state));
            }

            jobs = list;
            error = "";
            return true;
        }
        catch (JsonException e)
        {
            error = e.Message;
            return false;
        }
    }

    private static async Task<byte[]> ReadAsync(HttpContent content, CancellationToken cancellationToken)
    {
        // Listings can be long (one item per endpoint); 16 MiB is far beyond any account.
        const int Limit = 16 * 1024 * 1024;
        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var buffer = new MemoryStream();
            var chunk = new byte[16384];
            int read;
            while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > Limit)
                {
                    throw new IOException("the endpoint list is longer than 16 MiB");
                }

                buffer.Write(chunk, 0, read);
            }

            return buffer.ToArray();
        }
    }
}
