using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Vespa.Client.Configuration;

namespace Vespa.Client.Http;

/// <summary>
/// The vast.ai root certificate that workers' certificates chain to (vast-protocol.md §7.4): a file the user names
/// (<c>--vast-root-cert</c>), or else downloaded from the console on first use, as the SDK does
/// (<c>{console}/static/jvastai_root.cer</c>), and kept in the user's cache (<c>~/.cache/vespa/jvastai_root.cer</c>)
/// for later runs.
/// </summary>
/// <remarks>
/// The download happens before the first https worker call of a run, never for http workers or console-only commands.
/// It trusts what the system store trusts (the console's own certificate) and is refused over plain http except to a
/// loopback console (a local emulator): a trust anchor is not taken from a network that anyone can spoof. What comes
/// back must be one CA certificate that is valid now. A failure is a warning, not an error: https workers are then
/// checked against the system store alone, and the next try is <see cref="ClientDefaults.VastRootRetryInterval"/>
/// later. A cached file that is unreadable or expired is downloaded again.
/// </remarks>
internal sealed class VastRootStore : IDisposable
{
    /// <summary>The file name, in the cache and on the console.</summary>
    public const string FileName = "jvastai_root.cer";

    /// <summary>A root certificate is a few KiB; anything much longer is not one.</summary>
    private const int MaxBytes = 64 * 1024;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ClientSettings _settings;
    private readonly TimeProvider _time;
    private readonly TextWriter _warnings;
    private X509Certificate2? _root;
    private long? _failedAt;

    /// <exception cref="IOException">The configured root file cannot be read.</exception>
    /// <exception cref="CryptographicException">The configured file holds no certificate.</exception>
    public VastRootStore(ClientSettings settings, TimeProvider time, TextWriter warnings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _settings = settings;
        _time = time;
        _warnings = warnings;
        if (settings.VastRootCertificateFile is { } file)
        {
            _root = Load(File.ReadAllBytes(file));
        }
    }

    /// <summary>The root to trust besides the system store; <c>null</c> before a download, or without one.</summary>
    public X509Certificate2? Root => Volatile.Read(ref _root);

    /// <summary>The console URL the root is downloaded from.</summary>
    public Uri DownloadUrl => new(Routing.AutoscalerClient.EnsureTrailingSlash(_settings.ConsoleUrl), "static/" + FileName);

    /// <summary>Makes <see cref="Root"/> available when it can be: from the cache, or downloaded with
    /// <paramref name="invoker"/>. Never throws, except <see cref="OperationCanceledException"/> for
    /// <paramref name="cancellationToken"/>.</summary>
    public async Task EnsureAsync(HttpMessageInvoker invoker, CancellationToken cancellationToken)
    {
        if (Root is not null || !_settings.FetchVastRoot || RecentlyFailed())
        {
            return;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Root is not null || RecentlyFailed())
            {
                return;
            }

            var root = ReadCache() ?? await DownloadAsync(invoker, cancellationToken).ConfigureAwait(false);
            if (root is null)
            {
                _failedAt = _time.GetTimestamp();
                return;
            }

            Volatile.Write(ref _root, root);
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose()
    {
        _root?.Dispose();
        _gate.Dispose();
    }

    /// <summary>A certificate from PEM or DER bytes.</summary>
    /// <exception cref="CryptographicException">The bytes hold no certificate.</exception>
    public static X509Certificate2 Load(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        var text = System.Text.Encoding.ASCII.GetString(bytes);
        return text.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal)
            ? X509Certificate2.CreateFromPem(text)
            : X509CertificateLoader.LoadCertificate(bytes);
    }

    private bool RecentlyFailed() => _failedAt is { } at && _time.GetElapsedTime(at) < ClientDefaults.VastRootRetryInterval;

    private X509Certificate2? ReadCache()
    {
        if (_settings.VastRootCacheFile is not { } file || !File.Exists(file))
        {
            return null;
        }

        try
        {
            var root = Load(File.ReadAllBytes(file));
            if (Problem(root) is null)
            {
                return root;
            }

            // Expired or not a CA: fetch a current one.
            root.Dispose();
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            return null;
        }
    }

    private async Task<X509Certificate2?> DownloadAsync(HttpMessageInvoker invoker, CancellationToken cancellationToken)
    {
        var url = DownloadUrl;
        if (url.Scheme != Uri.UriSchemeHttps && !IsLoopback(url))
        {
            await WarnAsync($"not downloading the vast.ai root certificate over plain http from {url.GetLeftPart(UriPartial.Authority)}").ConfigureAwait(false);
            return null;
        }

        using var timeout = new CancellationTokenSource(_settings.ControlTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        byte[] bytes;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.TryAddWithoutValidation("User-Agent", ClientVersion.UserAgent);
            using var response = await invoker.SendAsync(request, linked.Token).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                await WarnAsync($"could not download the vast.ai root certificate from {url}: the console answered {(int)response.StatusCode}").ConfigureAwait(false);
                return null;
            }

            if (response.Content.Headers.ContentLength > MaxBytes)
            {
                await WarnAsync($"could not download the vast.ai root certificate from {url}: the answer is over {MaxBytes} bytes").ConfigureAwait(false);
                return null;
            }

            bytes = await response.Content.ReadAsByteArrayAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            await WarnAsync($"could not download the vast.ai root certificate from {url}: no answer within {_settings.ControlTimeout.TotalSeconds:0.#}s").ConfigureAwait(false);
            return null;
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            await WarnAsync($"could not download the vast.ai root certificate from {url}: {TransportErrors.Describe(e)}").ConfigureAwait(false);
            return null;
        }

        X509Certificate2 root;
        try
        {
            root = Load(bytes.Length > MaxBytes ? [] : bytes);
        }
        catch (CryptographicException)
        {
            await WarnAsync($"could not use the vast.ai root certificate from {url}: it is not a certificate").ConfigureAwait(false);
            return null;
        }

        if (Problem(root) is { } problem)
        {
            root.Dispose();
            await WarnAsync($"could not use the vast.ai root certificate from {url}: {problem}").ConfigureAwait(false);
            return null;
        }

        await WriteCacheAsync(root).ConfigureAwait(false);
        return root;
    }

    /// <summary>Why <paramref name="root"/> cannot serve as the vast.ai root; <c>null</c> when it can.</summary>
    private string? Problem(X509Certificate2 root)
    {
        var now = _time.GetUtcNow();
        if (root.NotAfter.ToUniversalTime() < now || root.NotBefore.ToUniversalTime() > now)
        {
            return $"it is not valid now (valid {root.NotBefore.ToUniversalTime():yyyy-MM-dd} to {root.NotAfter.ToUniversalTime():yyyy-MM-dd})";
        }

        var constraints = root.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault();
        return constraints is { CertificateAuthority: true } ? null : "it is not a CA certificate";
    }

    /// <summary>Writes the root to the cache: a temporary file renamed into place, so a reader never sees half a file.
    /// A cache that cannot be written costs a download next run, nothing more.</summary>
    private async Task WriteCacheAsync(X509Certificate2 root)
    {
        if (_settings.VastRootCacheFile is not { } file)
        {
            return;
        }

        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            var temporary = file + "." + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture) + ".tmp";
            await File.WriteAllTextAsync(temporary, root.ExportCertificatePem() + "\n", CancellationToken.None).ConfigureAwait(false);
            File.Move(temporary, file, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await WarnAsync($"could not cache the vast.ai root certificate in {file}: {e.Message}").ConfigureAwait(false);
        }
    }

    private static bool IsLoopback(Uri url) =>
        url.IsLoopback || (IPAddress.TryParse(url.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));

    private async Task WarnAsync(string message)
    {
        await _warnings.WriteLineAsync("vespa-client: warning: " + message + "; https workers are checked against the system trust store only (--vast-root-cert FILE sets the root).").ConfigureAwait(false);
        await _warnings.FlushAsync(CancellationToken.None).ConfigureAwait(false);
    }
}
