using Vespa.Core.Signatures;
using Vespa.Worker.Options;

namespace Vespa.Worker.Security;

/// <summary>
/// Fetches the autoscaler's signing key from <c>{REPORT_ADDR}/pubkey/</c>, trying each address in
/// order. A round makes <c>VESPA_PUBKEY_MAX_RETRIES</c> attempts with 1, 2, 4 … s back-off; when a
/// round fails the reason is logged and kept for 401 answers, and a new round starts after
/// <see cref="RecoveryDelay"/>, so a worker that booted during an autoscaler outage still heals
/// (the official workers give up for good). Until the key loads, secured requests get 401.
/// </summary>
internal sealed partial class PublicKeyFetcher : BackgroundService
{
    /// <summary>Pause between failed rounds.</summary>
    public static readonly TimeSpan RecoveryDelay = TimeSpan.FromSeconds(30);

    private readonly PublicKeyStore _store;
    private readonly WorkerOptions _options;
    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly ILogger<PublicKeyFetcher> _logger;

    public PublicKeyFetcher(PublicKeyStore store, WorkerOptions options, IHttpClientFactory httpClientFactory, TimeProvider time, ILogger<PublicKeyFetcher> logger)
    {
        _store = store;
        _options = options;
        _http = httpClientFactory.CreateClient(nameof(PublicKeyFetcher));
        _time = time;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_options.Unsecured || _options.ReportAddresses.Count == 0)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            for (var attempt = 1; attempt <= _options.PubkeyMaxRetries; attempt++)
            {
                if (await TryFetchOnceAsync(attempt, stoppingToken))
                {
                    return;
                }

                if (attempt < _options.PubkeyMaxRetries)
                {
                    await Task.Delay(TimeSpan.FromSeconds(Math.Min(Math.Pow(2, attempt - 1), 30)), _time, stoppingToken);
                }
            }

            Log.RoundFailed(_logger, _options.PubkeyMaxRetries, _store.Status, RecoveryDelay.TotalSeconds);
            await Task.Delay(RecoveryDelay, _time, stoppingToken);
        }
    }

    private async Task<bool> TryFetchOnceAsync(int attempt, CancellationToken stoppingToken)
    {
        var failures = new List<string>();
        foreach (var address in _options.ReportAddresses)
        {
            var url = new Uri(address.AbsoluteUri.TrimEnd('/') + "/pubkey/");
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                timeout.CancelAfter(_options.PubkeyTimeout);
                using var response = await _http.GetAsync(url, timeout.Token);
                if (!response.IsSuccessStatusCode)
                {
                    failures.Add($"{url}: HTTP {(int)response.StatusCode}");
                    continue;
                }

                var bytes = await response.Content.ReadAsByteArrayAsync(timeout.Token);
                var key = RsaPublicKeyLoader.Load(bytes);
                _store.SetLoaded(new EnvelopeVerifier(key), url.ToString());
                Log.KeyLoaded(_logger, url, key.KeySize);
                return true;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                throw;
            }
            catch (OperationCanceledException)
            {
                failures.Add($"{url}: timed out after {_options.PubkeyTimeout.TotalSeconds}s");
            }
            catch (Exception ex) when (ex is HttpRequestException or FormatException or System.Security.Cryptography.CryptographicException or ArgumentException)
            {
                failures.Add($"{url}: {ex.Message}");
            }
        }

        var reason = $"public key not loaded (attempt {attempt}): " + string.Join("; ", failures);
        _store.SetFailure(reason);
        Log.AttemptFailed(_logger, attempt, string.Join("; ", failures));
        return false;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 101, EventName = "PublicKeyLoaded", Level = LogLevel.Information, Message = "Autoscaler public key loaded from {Url} ({KeySize}-bit RSA)")]
        public static partial void KeyLoaded(ILogger logger, Uri url, int keySize);

        [LoggerMessage(EventId = 102, EventName = "PublicKeyAttemptFailed", Level = LogLevel.Warning, Message = "Public key fetch attempt {Attempt} failed: {Failures}")]
        public static partial void AttemptFailed(ILogger logger, int attempt, string failures);

        [LoggerMessage(EventId = 103, EventName = "PublicKeyRoundFailed", Level = LogLevel.Error, Message = "Public key not loaded after {Attempts} attempts ({Status}); secured requests get 401; retrying in {Delay}s")]
        public static partial void RoundFailed(ILogger logger, int attempts, string status, double delay);
    }
}
