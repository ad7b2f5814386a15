using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Vespa.Engine.Models;

/// <summary>
/// Downloads a GGUF model over HTTP(S) into a cache directory, resumably and verifiably.
/// </summary>
/// <remarks>
/// <see cref="DownloadAsync"/> runs these steps:
/// <list type="number">
/// <item>Work out the expected SHA-256: the caller's (option or <c>VESPA_MODEL_SHA256</c>) or the URL
/// fragment's <c>#sha256=&lt;hex&gt;</c>; both given and different is an error.</item>
/// <item>Reuse <c>&lt;cache&gt;/&lt;name&gt;-&lt;urlhash&gt;.gguf</c> when it is complete: its
/// <c>.sha256</c> marker matches its size and the expected hash, so no request is made at all.</item>
/// <item>Transfer into <c>&lt;file&gt;.partial</c>, resuming an existing partial with
/// <c>Range: bytes=N-</c>: 206 appends, 200 (range ignored) restarts from zero, 416 with the
/// partial's exact length means it was already complete. Transport errors, 5xx, 408, 429 and
/// stalls are retried with exponential back-off, resuming where the partial ends; other 4xx fail
/// at once. Progress is logged every 10 % or every few seconds.</item>
/// <item>Check the GGUF magic and the SHA-256 (a mismatch deletes the partial), rename the partial
/// to the final name atomically, then write the marker.</item>
/// </list>
/// Cancellation stops the transfer and keeps the partial for a later resume. URLs are logged
/// without user information or query string, which may hold credentials.
/// </remarks>
public sealed partial class ModelDownloader
{
    public const string PartialSuffix = ".partial";

    private const int BufferSize = 1 << 20;
    private const int MaxNameLength = 80;

    private readonly HttpClient _httpClient;
    private readonly ILogger<ModelDownloader> _logger;
    private readonly TimeProvider _timeProvider;
    private readonly ModelDownloaderOptions _options;

    public ModelDownloader(HttpClient httpClient, ILogger<ModelDownloader> logger, TimeProvider timeProvider, ModelDownloaderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _httpClient = httpClient;
        _logger = logger;
        _timeProvider = timeProvider;
        _options = options ?? new ModelDownloaderOptions();
        _options.Validate();
    }

    /// <summary>
    /// Makes sure the model at <paramref name="url"/> is in <paramref name="cacheDirectory"/> and
    /// returns its full path (see the remarks of <see cref="ModelDownloader"/>).
    /// </summary>
    /// <param name="url">An absolute http or https URL, optionally ending in <c>#sha256=&lt;hex&gt;</c>.</param>
    /// <param name="cacheDirectory">Created if needed.</param>
    /// <param name="expectedSha256">64 hex digits, or null to take the URL fragment's or accept any content.</param>
    /// <param name="cancellationToken">Stops the download; the partial file is kept.</param>
    /// <exception cref="ModelDownloadException">The download failed for good, or the content is wrong.</exception>
    /// <exception cref="ModelSourceException">The URL or the expected hash is invalid.</exception>
    public async Task<string> DownloadAsync(Uri url, string cacheDirectory, string? expectedSha256 = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(url);
        ArgumentException.ThrowIfNullOrWhiteSpace(cacheDirectory);

        // :: Step 1: the URL and the expected hash.
        if (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            throw new ModelSourceException($"A model URL must be absolute http:// or https://, not '{Redact(url)}'.");
        }

        var expected = ResolveExpectedSha256(url, expectedSha256);
        var requestUri = new Uri(url.GetLeftPart(UriPartial.Query));
        var display = Redact(url);
        Directory.CreateDirectory(cacheDirectory);
        var finalPath = Path.GetFullPath(Path.Combine(cacheDirectory, GetCacheFileName(url)));
        var partialPath = finalPath + PartialSuffix;

        // :: Step 2: a complete cached copy needs no request.
        if (await TryReuseCachedAsync(finalPath, expected, display, cancellationToken).ConfigureAwait(false))
        {
            return finalPath;
        }

        // :: Step 3: transfer, resuming and retrying.
        var started = _timeProvider.GetTimestamp();
        var progress = new Progress(this, display, started);
        Log.DownloadStarting(_logger, display, finalPath, expected ?? "(none given)");
        await TransferWithRetriesAsync(requestUri, display, partialPath, progress, cancellationToken).ConfigureAwait(false);

        // :: Step 4: verify, publish, mark.
        var actual = await VerifyAsync(partialPath, display, expected, cancellationToken).ConfigureAwait(false);
        var length = new FileInfo(partialPath).Length;
        File.Move(partialPath, finalPath, overwrite: true);
        new ModelCacheMarker(actual, length).Write(finalPath);
        var seconds = _timeProvider.GetElapsedTime(started).TotalSeconds;
        Log.DownloadCompleted(_logger, display, finalPath, length, actual, seconds);
        return finalPath;
    }

    /// <summary>
    /// The cache file name for <paramref name="url"/>: the last path segment made file-system safe
    /// (letters, digits, <c>.</c>, <c>_</c>, <c>-</c>; at most 80 characters; <c>.gguf</c> removed), a dash,
    /// the first 12 hex digits of the SHA-256 of the URL without its fragment, and <c>.gguf</c>:
    /// <c>https://host/m/TinyLlama Q4.gguf?x=1</c> → <c>TinyLlama_Q4-1a2b3c4d5e6f.gguf</c>.
    /// </summary>
    public static string GetCacheFileName(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        var withoutFragment = url.GetLeftPart(UriPartial.Query);
        var segment = Uri.UnescapeDataString(url.Segments.Length > 0 ? url.Segments[^1] : "").TrimEnd('/');
        if (segment.EndsWith(".gguf", StringComparison.OrdinalIgnoreCase))
        {
            segment = segment[..^".gguf".Length];
        }

        var name = new StringBuilder(segment.Length);
        foreach (var c in segment)
        {
            name.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' ? c : '_');
        }

        var safe = name.ToString().Trim('.', '_', '-');
        if (safe.Length > MaxNameLength)
        {
            safe = safe[..MaxNameLength].TrimEnd('.', '_', '-');
        }

        if (safe.Length == 0)
        {
            safe = "model";
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(withoutFragment)))[..12];
        return $"{safe}-{hash}.gguf";
    }

    /// <summary><paramref name="url"/> without user information, query or fragment, for logs and messages.</summary>
    public static string Redact(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!url.IsAbsoluteUri)
        {
            return url.OriginalString;
        }

        var text = url.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped);
        return url.Query.Length > 1 ? text + "?…" : text;
    }

    private static string? ResolveExpectedSha256(Uri url, string? given)
    {
        var explicitHash = ModelHash.NormalizeOrThrow(given, "the expected-hash setting (VESPA_MODEL_SHA256)");
        string? fragmentHash = null;
        foreach (var part in url.Fragment.TrimStart('#').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part.StartsWith("sha256=", StringComparison.OrdinalIgnoreCase))
            {
                fragmentHash = ModelHash.NormalizeOrThrow(part["sha256=".Length..], "the URL fragment #sha256=");
            }
        }

        if (explicitHash is not null && fragmentHash is not null && explicitHash != fragmentHash)
        {
            throw new ModelSourceException($"Two different expected SHA-256 hashes are configured: {explicitHash} (setting) and {fragmentHash} (URL fragment).");
        }

        return explicitHash ?? fragmentHash;
    }

    private async Task<bool> TryReuseCachedAsync(string finalPath, string? expected, string display, CancellationToken cancellationToken)
    {
        if (!File.Exists(finalPath))
        {
            return false;
        }

        var marker = ModelCacheMarker.TryRead(finalPath);
        if (marker is not null && marker.Matches(finalPath) && (expected is null || marker.Sha256 == expected))
        {
            Log.CachedModelReused(_logger, finalPath, marker.Sha256, display);
            return true;
        }

        // No marker (e.g. a crash between the rename and the marker) or a stale one: check the file itself.
        string reason;
        if (Gguf.FileHasMagic(finalPath))
        {
            var actual = await HashFileAsync(finalPath, cancellationToken).ConfigureAwait(false);
            if (expected is null || actual == expected)
            {
                new ModelCacheMarker(actual, new FileInfo(finalPath).Length).Write(finalPath);
                Log.CachedModelReused(_logger, finalPath, actual, display);
                return true;
            }

            reason = $"its SHA-256 is {actual}, not {expected}";
        }
        else
        {
            reason = "it is not a GGUF file";
        }

        Log.CachedModelInvalid(_logger, finalPath, reason);
        File.Delete(finalPath);
        AtomicFile.TryDelete(ModelCacheMarker.PathFor(finalPath));
        return false;
    }

    private async Task TransferWithRetriesAsync(Uri requestUri, string display, string partialPath, Progress progress, CancellationToken cancellationToken)
    {
        var failuresInARow = 0;
        var restartedAfterRangeError = false;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var lengthBefore = FileLength(partialPath);
            try
            {
                var outcome = await TransferOnceAsync(requestUri, display, partialPath, progress, cancellationToken).ConfigureAwait(false);
                if (outcome == TransferOutcome.Complete)
                {
                    return;
                }

                // The server refused the range and the partial is not a complete file: start over once.
                if (restartedAfterRangeError)
                {
                    throw new ModelDownloadException($"Downloading {display} failed: the server refused to resume (416) even from byte 0.") { StatusCode = HttpStatusCode.RequestedRangeNotSatisfiable };
                }

                restartedAfterRangeError = true;
            }
            catch (Exception ex) when (IsTransient(ex, cancellationToken))
            {
                failuresInARow = FileLength(partialPath) > lengthBefore ? 1 : failuresInARow + 1;
                if (failuresInARow >= _options.MaxAttempts)
                {
                    throw new ModelDownloadException($"Downloading {display} failed {failuresInARow} times in a row; last error: {ex.Message}", ex)
                    {
                        StatusCode = (ex as HttpRequestException)?.StatusCode,
                    };
                }

                var delay = RetryDelay(failuresInARow);
                Log.DownloadRetrying(_logger, display, failuresInARow, _options.MaxAttempts, ex.Message, delay.TotalSeconds);
                await Task.Delay(delay, _timeProvider, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task<TransferOutcome> TransferOnceAsync(Uri requestUri, string display, string partialPath, Progress progress, CancellationToken cancellationToken)
    {
        var existing = FileLength(partialPath);
        using var request = new HttpRequestMessage(HttpMethod.Get, requestUri);
        if (existing > 0)
        {
            request.Headers.Range = new RangeHeaderValue(existing, null);
        }

        using var response = await _httpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        long offset;
        long? total;
        switch (response.StatusCode)
        {
            case HttpStatusCode.PartialContent when existing > 0 && response.Content.Headers.ContentRange is { From: { } from } range && from == existing:
                offset = existing;
                total = range.Length;
                Log.DownloadResuming(_logger, display, existing, total ?? -1);
                break;
            case HttpStatusCode.OK:
            case HttpStatusCode.PartialContent when response.Content.Headers.ContentRange is { From: 0 }:
                if (existing > 0)
                {
                    Log.RangeIgnored(_logger, display, (int)response.StatusCode, existing);
                }

                offset = 0;
                total = response.Content.Headers.ContentRange?.Length ?? response.Content.Headers.ContentLength;
                break;
            case HttpStatusCode.PartialContent:
                // A range we did not ask for: the partial cannot be trusted to line up with it.
                AtomicFile.TryDelete(partialPath);
                throw new HttpRequestException($"the server answered 206 with Content-Range '{response.Content.Headers.ContentRange}' to 'Range: bytes={existing}-'");
            case HttpStatusCode.RequestedRangeNotSatisfiable when existing > 0:
                if (response.Content.Headers.ContentRange?.Length == existing)
                {
                    Log.PartialAlreadyComplete(_logger, display, existing);
                    return TransferOutcome.Complete;
                }

                Log.RangeIgnored(_logger, display, (int)response.StatusCode, existing);
                AtomicFile.TryDelete(partialPath);
                return TransferOutcome.Restart;
            default:
                throw StatusError(response.StatusCode, display);
        }

        progress.Begin(offset, total);
        await CopyBodyAsync(response, partialPath, offset, total, display, progress, cancellationToken).ConfigureAwait(false);
        return TransferOutcome.Complete;
    }

    private async Task CopyBodyAsync(HttpResponseMessage response, string partialPath, long offset, long? total, string display, Progress progress, CancellationToken cancellationToken)
    {
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var idleTimer = _timeProvider.CreateTimer(static state => ((CancellationTokenSource)state!).Cancel(), idle, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (body.ConfigureAwait(false))
        {
            // Unbuffered: what was received is on disk at once, so a crash or a cut loses nothing
            // that a resume would have to fetch again (the reads are the buffer).
            var file = new FileStream(partialPath, FileMode.OpenOrCreate, FileAccess.Write, FileShare.Read, bufferSize: 0, useAsync: true);
            await using (file.ConfigureAwait(false))
            {
                file.SetLength(offset);
                file.Position = offset;
                var buffer = new byte[BufferSize];
                var position = offset;
                while (true)
                {
                    idleTimer.Change(_options.ReadTimeout, Timeout.InfiniteTimeSpan);
                    int read;
                    try
                    {
                        read = await body.ReadAsync(buffer, idle.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                    {
                        throw new TimeoutException($"no data from the server for {_options.ReadTimeout.TotalSeconds:0.#} s");
                    }

                    if (read == 0)
                    {
                        break;
                    }

                    if (position == 0 && read >= Gguf.Magic.Length && !Gguf.HasMagic(buffer))
                    {
                        // Fail fast on an HTML error page or a wrong file served with 200.
                        await file.DisposeAsync().ConfigureAwait(false);
                        AtomicFile.TryDelete(partialPath);
                        throw NotGguf(display, buffer.AsSpan(0, Gguf.Magic.Length));
                    }

                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                    position += read;
                    progress.Report(position);
                }

                await file.FlushAsync(cancellationToken).ConfigureAwait(false);
                if (total is { } expectedLength && position < expectedLength)
                {
                    throw new IOException($"the connection ended after {position} of {expectedLength} bytes");
                }

                progress.Finish(position);
            }
        }
    }

    private static async Task<string> VerifyAsync(string partialPath, string display, string? expected, CancellationToken cancellationToken)
    {
        var header = new byte[Gguf.Magic.Length];
        int read;
        var stream = new FileStream(partialPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1);
        await using (stream.ConfigureAwait(false))
        {
            read = await stream.ReadAtLeastAsync(header, header.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        }

        if (read < header.Length || !Gguf.HasMagic(header))
        {
            AtomicFile.TryDelete(partialPath);
            throw NotGguf(display, header.AsSpan(0, read));
        }

        var actual = await HashFileAsync(partialPath, cancellationToken).ConfigureAwait(false);
        if (expected is not null && actual != expected)
        {
            AtomicFile.TryDelete(partialPath);
            throw new ModelDownloadException($"The model downloaded from {display} has SHA-256 {actual}, but {expected} was expected; the download was deleted.")
            {
                ExpectedSha256 = expected,
                ActualSha256 = actual,
            };
        }

        return actual;
    }

    private static async Task<string> HashFileAsync(string path, CancellationToken cancellationToken)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, useAsync: true);
        await using (stream.ConfigureAwait(false))
        {
            return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false));
        }
    }

    private static ModelDownloadException NotGguf(string display, ReadOnlySpan<byte> start) =>
        new($"The content downloaded from {display} is not a GGUF file: it starts with '{Printable(start)}' instead of 'GGUF'; the download was deleted.");

    private static Exception StatusError(HttpStatusCode status, string display)
    {
        var code = (int)status;
        var transient = code >= 500 || status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests;
        var message = string.Create(CultureInfo.InvariantCulture, $"HTTP {code} ({status}) from {display}");
        return transient
            ? new HttpRequestException(message, null, status)
            : new ModelDownloadException($"Downloading the model failed: {message}.") { StatusCode = status };
    }

    private static bool IsTransient(Exception exception, CancellationToken cancellationToken) => exception switch
    {
        ModelSourceException => false,
        OperationCanceledException => !cancellationToken.IsCancellationRequested, // HttpClient.Timeout
        HttpRequestException or IOException or TimeoutException => true,
        _ => false,
    };

    private TimeSpan RetryDelay(int failuresInARow)
    {
        var factor = Math.Pow(2, Math.Min(failuresInARow - 1, 30));
        var delay = TimeSpan.FromTicks((long)Math.Min(_options.InitialRetryDelay.Ticks * factor, _options.MaxRetryDelay.Ticks));
        return delay;
    }

    private static long FileLength(string path)
    {
        var info = new FileInfo(path);
        return info.Exists ? info.Length : 0;
    }

    private static string Printable(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder();
        foreach (var b in bytes)
        {
            text.Append(b is >= 0x20 and < 0x7F ? (char)b : '.');
        }

        return text.ToString();
    }

    private enum TransferOutcome
    {
        Complete,
        Restart,
    }

    /// <summary>Logs progress at each 10 % step, or every <see cref="ModelDownloaderOptions.ProgressInterval"/>.</summary>
    private sealed class Progress(ModelDownloader owner, string display, long startedTimestamp)
    {
        private long? _total;
        private long _lastLogged;
        private int _nextPercent;
        private long _receivedBefore;
        private long _attemptStart;

        private long _received;

        public void Begin(long offset, long? total)
        {
            _total = total;
            _receivedBefore = _received;
            _attemptStart = offset;
            _nextPercent = total is > 0 ? (int)(offset * 100 / total.Value / 10 * 10) + 10 : int.MaxValue;
            _lastLogged = owner._timeProvider.GetTimestamp();
        }

        public void Report(long position)
        {
            _received = _receivedBefore + (position - _attemptStart);
            var now = owner._timeProvider.GetTimestamp();
            var percent = _total is > 0 ? (int)(position * 100 / _total.Value) : -1;
            if (percent >= _nextPercent || owner._timeProvider.GetElapsedTime(_lastLogged, now) >= owner._options.ProgressInterval)
            {
                Write(position, percent, now);
                if (percent >= 0)
                {
                    _nextPercent = (percent / 10 * 10) + 10;
                }
            }
        }

        public void Finish(long position)
        {
            if (_total is null)
            {
                Write(position, -1, owner._timeProvider.GetTimestamp());
            }
        }

        private void Write(long position, int percent, long now)
        {
            _lastLogged = now;
            var seconds = owner._timeProvider.GetElapsedTime(startedTimestamp, now).TotalSeconds;
            var megabytesPerSecond = seconds > 0 ? _received / seconds / 1_000_000 : 0;
            if (_total is { } total)
            {
                Log.DownloadProgress(owner._logger, display, percent, position, total, megabytesPerSecond);
            }
            else
            {
                Log.DownloadProgressUnknownTotal(owner._logger, display, position, megabytesPerSecond);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 700, EventName = "ModelDownloadStarting", Level = LogLevel.Information,
            Message = "Downloading the model {Url} to {Path} (expected SHA-256: {Sha256})")]
        public static partial void DownloadStarting(ILogger logger, string url, string path, string sha256);

        [LoggerMessage(EventId = 701, EventName = "ModelDownloadResuming", Level = LogLevel.Information,
            Message = "Resuming the model download {Url} at byte {Offset} of {Total}")]
        public static partial void DownloadResuming(ILogger logger, string url, long offset, long total);

        [LoggerMessage(EventId = 702, EventName = "ModelDownloadProgress", Level = LogLevel.Information,
            Message = "Model download {Url}: {Percent}% ({Bytes}/{Total} bytes) at {MegabytesPerSecond:0.0} MB/s")]
        public static partial void DownloadProgress(ILogger logger, string url, int percent, long bytes, long total, double megabytesPerSecond);

        [LoggerMessage(EventId = 703, EventName = "ModelDownloadProgressUnknownSize", Level = LogLevel.Information,
            Message = "Model download {Url}: {Bytes} bytes (size unknown) at {MegabytesPerSecond:0.0} MB/s")]
        public static partial void DownloadProgressUnknownTotal(ILogger logger, string url, long bytes, double megabytesPerSecond);

        [LoggerMessage(EventId = 704, EventName = "ModelDownloadRangeIgnored", Level = LogLevel.Warning,
            Message = "The server answered {Status} to a request to resume {Url} at byte {Offset}; restarting from byte 0")]
        public static partial void RangeIgnored(ILogger logger, string url, int status, long offset);

        [LoggerMessage(EventId = 705, EventName = "ModelDownloadRetrying", Level = LogLevel.Warning,
            Message = "The model download {Url} failed ({Failures}/{MaxAttempts} in a row): {Error}; retrying in {DelaySeconds:0.###} s")]
        public static partial void DownloadRetrying(ILogger logger, string url, int failures, int maxAttempts, string error, double delaySeconds);

        [LoggerMessage(EventId = 706, EventName = "ModelDownloadCompleted", Level = LogLevel.Information,
            Message = "Downloaded the model {Url} to {Path}: {Bytes} bytes, SHA-256 {Sha256}, in {Seconds:0.0} s")]
        public static partial void DownloadCompleted(ILogger logger, string url, string path, long bytes, string sha256, double seconds);

        [LoggerMessage(EventId = 707, EventName = "ModelDownloadCacheHit", Level = LogLevel.Information,
            Message = "Using the cached model {Path} (SHA-256 {Sha256}) for {Url}")]
        public static partial void CachedModelReused(ILogger logger, string path, string sha256, string url);

        [LoggerMessage(EventId = 708, EventName = "ModelDownloadCacheInvalid", Level = LogLevel.Warning,
            Message = "The cached model {Path} cannot be reused ({Reason}); downloading it again")]
        public static partial void CachedModelInvalid(ILogger logger, string path, string reason);

        [LoggerMessage(EventId = 709, EventName = "ModelDownloadPartialComplete", Level = LogLevel.Information,
            Message = "The partial download of {Url} already holds all {Bytes} bytes")]
        public static partial void PartialAlreadyComplete(ILogger logger, string url, long bytes);
    }
}
