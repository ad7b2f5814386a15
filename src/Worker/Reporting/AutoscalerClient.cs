using System.Net.Http.Headers;
using Vespa.Worker.Http;
using Vespa.Worker.Metrics;
using Vespa.Worker.Options;

namespace Vespa.Worker.Reporting;

/// <summary>
/// Posts JSON to the autoscaler: every <c>REPORT_ADDR</c> in order, each up to
/// <c>VESPA_METRICS_MAX_RETRIES</c> attempts of at most <c>VESPA_METRICS_TIMEOUT</c> with
/// <c>VESPA_METRICS_RETRY_DELAY</c> between them; the first address that answers 2xx wins
/// (fail-over, as the official workers). All waiting goes through the injected TimeProvider.
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

    public AutoscalerClient(IHttpClientFactory httpClientFactory, WorkerOptions options, TimeProvider time, WorkerMetrics metrics, ILogger<AutoscalerClient> logger)
    {
        _http = httpClientFactory.CreateClient(nameof(AutoscalerClient));
        _options = options;
        _time = time;
        _metrics = metrics;
        _logger = logger;
    }

    public bool HasAddresses => _options.ReportAddresses.Count > 0;

    /// <summary>Posts <paramref name="body"/> to <c>{addr}{path}</c>; true when some address accepted it.</summary>
    public async Task<bool> PostAsync(string path, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        var endpoint = path.Trim('/');
        foreach (var address in _options.ReportAddresses)
        {
            var baseUrl = address.AbsoluteUri.TrimEnd('/');
            if (path == "/delete_requests/" && string.Equals(baseUrl, SkippedDeleteAddress, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var url = new Uri(baseUrl + path);
            for (var attempt = 1; attempt <= _options.MetricsMaxRetries; attempt++)
            {
                var failure = await TryPostOnceAsync(url, body, cancellationToken);
                if (failure is null)
                {
                    _metrics.Report(endpoint, success: true);
                    return true;
                }

                _metrics.Report(endpoint, success: false);
                Log.PostFailed(_logger, url, attempt, _options.MetricsMaxRetries, failure);
                await Task.Delay(_options.MetricsRetryDelay, _time, cancellationToken);
            }
        }

        return false;
    }

    private Task<string?> TryPostOnceAsync(Uri url, ReadOnlyMemory<byte> body, CancellationToken cancellationToken) =>
        TimedHttpAttempt.RunAsync(
            _options.MetricsTimeout,
            _time,
            async ct =>
            {
                using var content = new ReadOnlyMemoryContent(body);
                content.Headers.ContentType = Json;
                return await _http.PostAsync(url, content, ct);
            },
            response => response.IsSuccessStatusCode,
            cancellationToken);

    private static partial class Log
    {
        [LoggerMessage(EventId = 401, EventName = "AutoscalerPostFailed", Level = LogLevel.Warning, Message = "POST {Url} failed (attempt {Attempt}/{Attempts}): {Failure}")]
        public static partial void PostFailed(ILogger logger, Uri url, int attempt, int attempts, string failure);
    }
}
