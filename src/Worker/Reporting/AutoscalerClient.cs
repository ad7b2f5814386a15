using System.Net.Http.Headers;
using Polly;
using Vespa.Worker.Http;
using Vespa.Worker.Metrics;
using Vespa.Worker.Options;

namespace Vespa.Worker.Reporting;

/// <summary>
/// Posts JSON to the autoscaler: every <c>REPORT_ADDR</c> in order, each up to
/// <c>VESPA_METRICS_MAX_RETRIES</c> attempts of at most <c>VESPA_METRICS_TIMEOUT</c> with
/// <c>VESPA_METRICS_RETRY_DELAY</c> between them (one Polly pipeline, <see cref="ControlPlaneRetry"/>);
/// the first address that answers 2xx wins (fail-over, as the official workers). All waiting goes
/// through the injected TimeProvider.
/// </summary>
internal sealed partial class AutoscalerClient
{
    /// <summary>The SDK never sends <c>/delete_requests/</c> to this address (vast-protocol.md §4.2); neither do we.</summary>
    public const string SkippedDeleteAddress = "https://cloud.vast.ai/api/v0";

    private static readonly MediaTypeHeaderValue Json = new("application/json");

    private readonly HttpClient _http;
    private readonly WorkerOptions _options;
    private readonly TimeProvider _time;
    private readonly WorkerMetrics _metrics;
    private readonly ILogger<AutoscalerClient> _logger;
    private readonly ResiliencePipeline<string?> _retry;

    public AutoscalerClient(IHttpClientFactory httpClientFactory, WorkerOptions options, TimeProvider time, WorkerMetrics metrics, ILogger<AutoscalerClient> logger)
    {
        _http = httpClientFactory.CreateClient(nameof(AutoscalerClient));
        _options = options;
        _time = time;
        _metrics = metrics;
        _logger = logger;
        _retry = ControlPlaneRetry.Create(options.MetricsMaxRetries, options.MetricsRetryDelay, DelayBackoffType.Constant, maxDelay: null, time);
    }

    public bool HasAddresses => _options.ReportAddresses.Count > 0;

    /// <summary>Posts <paramref name="body"/> to <c>{addr}{path}</c>; true when some address accepted it.</summary>
    public async Task<bool> PostAsync(string path, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        foreach (var address in _options.ReportAddresses)
        {
            var baseUrl = address.AbsoluteUri.TrimEnd('/');
            if (path == "/delete_requests/" && string.Equals(baseUrl, SkippedDeleteAddress, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var attempt = new Attempt(this, new Uri(baseUrl + path), path.Trim('/'), body);
            var failure = await _retry.ExecuteAsync(static (state, ct) => new ValueTask<string?>(state.RunAsync(ct)), attempt, cancellationToken);
            if (failure is null)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>One timed POST; the metric and the log line are per attempt.</summary>
    private sealed class Attempt(AutoscalerClient client, Uri url, string endpoint, ReadOnlyMemory<byte> body)
    {
        private int _number;

        public async Task<string?> RunAsync(CancellationToken cancellationToken)
        {
            _number++;
            string? failure;
            try
            {
                failure = await SendOnceAsync(cancellationToken);
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested)
            {
                // Unexpected (not a transport failure): counted here, retried by the pipeline, then the caller's loop guard logs it.
                client._metrics.Report(endpoint, success: false);
                throw;
            }

            client._metrics.Report(endpoint, success: failure is null);
            if (failure is not null)
            {
                Log.PostFailed(client._logger, url, _number, client._options.MetricsMaxRetries, failure);
            }

            return failure;
        }

        private Task<string?> SendOnceAsync(CancellationToken cancellationToken) =>
            TimedHttpAttempt.RunAsync(
                client._options.MetricsTimeout,
                client._time,
                async ct =>
                {
                    using var content = new ReadOnlyMemoryContent(body);
                    content.Headers.ContentType = Json;
                    return await client._http.PostAsync(url, content, ct);
                },
                response => response.IsSuccessStatusCode,
                cancellationToken);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 401, EventName = "AutoscalerPostFailed", Level = LogLevel.Warning, Message = "POST {Url} failed (attempt {Attempt}/{Attempts}): {Failure}")]
        public static partial void PostFailed(ILogger logger, Uri url, int attempt, int attempts, string failure);
    }
}
