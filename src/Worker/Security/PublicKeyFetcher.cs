using System.Security.Cryptography;
using Polly;
using Vespa.Core.Signatures;
using Vespa.Worker.Http;
using Vespa.Worker.Lifecycle;
using Vespa.Worker.Options;

namespace Vespa.Worker.Security;

/// <summary>
/// Fetches the autoscaler's signing key from <c>{REPORT_ADDR}/pubkey/</c>, trying each address in order, until it
/// has one: attempts back off from <see cref="FirstRetryDelay"/> doubling to <see cref="MaxRetryDelay"/> and never
/// give up (the official workers give up for good, leaving a worker that can accept nothing), all in one Polly
/// pipeline on the injected clock. Until the key loads, secured requests get 401 and <c>loadtime</c> stays 0; after
/// <c>VESPA_PUBKEY_MAX_RETRIES</c> failed attempts in a row <c>error_msg</c> says why, and the error clears by itself
/// when the key arrives. Later, a failed signature may ask for the key again (<see cref="PublicKeyStore.RequestRefresh"/>,
/// at most every 30 s), so a rotated key is picked up; a refresh that fails keeps the key in use.
/// </summary>
internal sealed partial class PublicKeyFetcher : BackgroundService
{
    public static readonly TimeSpan FirstRetryDelay = TimeSpan.FromSeconds(1);

    public static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(10);

    private readonly PublicKeyStore _store;
    private readonly WorkerState _state;
    private readonly WorkerOptions _options;
    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly BackgroundLoops _loops;
    private readonly BackgroundLoop _loop;
    private readonly ILogger<PublicKeyFetcher> _logger;
    private readonly ResiliencePipeline<string?> _untilLoaded;
    private readonly ResiliencePipeline<string?> _refresh;
    private byte[]? _currentKey;
    private int _failures;

    public PublicKeyFetcher(PublicKeyStore store, WorkerState state, WorkerOptions options, IHttpClientFactory httpClientFactory, TimeProvider time, BackgroundLoops loops, ILogger<PublicKeyFetcher> logger)
    {
        _store = store;
        _state = state;
        _options = options;
        _http = httpClientFactory.CreateClient(nameof(PublicKeyFetcher));
        _time = time;
        _loops = loops;
        _loop = loops.Create("public key fetcher", typeof(PublicKeyFetcher));
        _logger = logger;
        _untilLoaded = ControlPlaneRetry.Create(ControlPlaneRetry.Unbounded, FirstRetryDelay, DelayBackoffType.Exponential, MaxRetryDelay, time, OnUnexpectedFailure);
        _refresh = ControlPlaneRetry.Create(options.PubkeyMaxRetries, FirstRetryDelay, DelayBackoffType.Exponential, MaxRetryDelay, time, OnUnexpectedFailure);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_options.Unsecured || _options.ReportAddresses.Count == 0)
        {
            return;
        }

        await _loops.WaitForStartAsync(stoppingToken);
        while (_store.Verifier is null)
        {
            await _loop.RunOnceAsync(ct => _untilLoaded.ExecuteAsync(static (self, c) => new ValueTask<string?>(self.FetchOnceAsync(c)), this, ct).AsTask(), stoppingToken);
        }

        while (true)
        {
            await _store.WaitForRefreshRequestAsync(stoppingToken);
            Log.Refreshing(_logger);
            await _loop.RunOnceAsync(RefreshAsync, stoppingToken);
        }
    }

    private async Task RefreshAsync(CancellationToken cancellationToken)
    {
        var failure = await _refresh.ExecuteAsync(static (self, c) => new ValueTask<string?>(self.FetchOnceAsync(c)), this, cancellationToken);
        if (failure is not null)
        {
            Log.RefreshFailed(_logger, failure);
        }
    }

    /// <summary>One attempt over every address in order; <c>null</c> once a key is loaded, else what went wrong.</summary>
    private async Task<string?> FetchOnceAsync(CancellationToken cancellationToken)
    {
        var failures = new List<string>();
        foreach (var address in _options.ReportAddresses)
        {
            var url = new Uri(address.AbsoluteUri.TrimEnd('/') + "/pubkey/");
            try
            {
                using var timer = new CancellationTokenSource(_options.PubkeyTimeout, _time);
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
                using var response = await _http.GetAsync(url, timeout.Token);
                if (!response.IsSuccessStatusCode)
                {
                    failures.Add($"{url}: HTTP {(int)response.StatusCode}");
                    continue;
                }

                var bytes = await response.Content.ReadAsByteArrayAsync(timeout.Token);
                using var key = RsaPublicKeyLoader.Load(bytes);
                Loaded(url, key);
                return null;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (OperationCanceledException)
            {
                failures.Add($"{url}: timed out after {_options.PubkeyTimeout.TotalSeconds}s");
            }
            catch (Exception ex) when (ex is HttpRequestException or FormatException or CryptographicException or ArgumentException)
            {
                failures.Add($"{url}: {ex.Message}");
            }
        }

        var reason = string.Join("; ", failures);
        Failed(reason);
        return reason;
    }

    private void Loaded(Uri url, RSA key)
    {
        var spki = key.ExportSubjectPublicKeyInfo();
        var first = _currentKey is null;
        var changed = !first && !spki.AsSpan().SequenceEqual(_currentKey);
        _store.SetLoaded(new EnvelopeVerifier(key), url.ToString());
        _currentKey = spki;
        _failures = 0;
        _state.SetPublicKeyLoaded();
        if (first)
        {
            Log.KeyLoaded(_logger, url, key.KeySize);
        }
        else
        {
            Log.KeyRefreshed(_logger, url, changed ? "a new key" : "the same key");
        }
    }

    private void Failed(string reason)
    {
        if (_store.Verifier is not null)
        {
            return; // a refresh failed: the key in use stays, and so does the worker's state
        }

        var failures = ++_failures;
        var status = $"public key not loaded after {failures} attempt(s): {reason}";
        _store.SetFailure(status);
        if (failures < _options.PubkeyMaxRetries)
        {
            Log.AttemptFailed(_logger, failures, reason);
        }
        else
        {
            // The autoscaler is told why nothing can be accepted; no loadtime is reported meanwhile.
            _state.SetPublicKeyError(status + $" (secured requests get 401; retrying every {MaxRetryDelay.TotalSeconds:0}s at most)");
            if (failures == _options.PubkeyMaxRetries)
            {
                Log.StillNoKey(_logger, failures, reason, MaxRetryDelay.TotalSeconds);
            }
        }
    }

    private void OnUnexpectedFailure(int attempt, string? failure, Exception? exception)
    {
        if (exception is not null)
        {
            Failed($"{exception.GetType().Name}: {exception.Message}");
            Log.AttemptThrew(_logger, exception, attempt);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 101, EventName = "PublicKeyLoaded", Level = LogLevel.Information, Message = "Autoscaler public key loaded from {Url} ({KeySize}-bit RSA)")]
        public static partial void KeyLoaded(ILogger logger, Uri url, int keySize);

        [LoggerMessage(EventId = 102, EventName = "PublicKeyAttemptFailed", Level = LogLevel.Warning, Message = "Public key fetch attempt {Attempt} failed: {Failures}")]
        public static partial void AttemptFailed(ILogger logger, int attempt, string failures);

        [LoggerMessage(EventId = 103, EventName = "PublicKeyStillMissing", Level = LogLevel.Error, Message = "Public key not loaded after {Attempts} attempts ({Failures}); secured requests get 401 and error_msg says so; retrying every {Delay}s at most")]
        public static partial void StillNoKey(ILogger logger, int attempts, string failures, double delay);

        [LoggerMessage(EventId = 104, EventName = "PublicKeyRefreshing", Level = LogLevel.Information, Message = "A signature failed to verify: fetching the public key again in case it was rotated")]
        public static partial void Refreshing(ILogger logger);

        [LoggerMessage(EventId = 105, EventName = "PublicKeyRefreshed", Level = LogLevel.Information, Message = "Public key fetched again from {Url}: {Outcome}")]
        public static partial void KeyRefreshed(ILogger logger, Uri url, string outcome);

        [LoggerMessage(EventId = 106, EventName = "PublicKeyRefreshFailed", Level = LogLevel.Warning, Message = "Public key refresh failed, the key in use stays: {Failures}")]
        public static partial void RefreshFailed(ILogger logger, string failures);

        [LoggerMessage(EventId = 107, EventName = "PublicKeyAttemptThrew", Level = LogLevel.Error, Message = "Public key fetch attempt {Attempt} threw; retrying")]
        public static partial void AttemptThrew(ILogger logger, Exception exception, int attempt);
    }
}
