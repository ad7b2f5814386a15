using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Vespa.Worker.Options;

namespace Vespa.Worker.Hosting;

/// <summary>
/// The worker's TLS certificate when <c>VESPA_USE_SSL=true</c>: PEM files (<c>VESPA_SSL_CERT_FILE</c>,
/// default <c>/etc/instance.crt</c>, and <c>VESPA_SSL_KEY_FILE</c>, default <c>/etc/instance.key</c>), which
/// <c>scripts/start_server.sh</c> provisions through vast.ai's <c>sign_cert</c> (vast-protocol.md §8.2).
/// </summary>
/// <remarks>
/// <para>
/// Reload without restart: every TLS handshake compares the two files' size and last-write time with those of
/// the loaded pair (two <c>stat</c> calls, microseconds next to the handshake's RSA signature) and loads the
/// pair again when they differ, so the next connection after a replacement gets the new certificate. No
/// watcher thread and no timer: file-system notifications are unreliable on container overlays and bind
/// mounts, and a poll would make the switch depend on its period.
/// </para>
/// <para>
/// A pair that does not load (half written, key and certificate not matching yet) is logged once and the
/// previous certificate stays in use; the pair is tried again as soon as either file changes again.
/// </para>
/// <para>
/// Certificates in the file after the first are sent as the chain (<see cref="SslStreamCertificateContext"/>,
/// built once per load, offline). Replaced certificates are not disposed, since handshakes that already
/// picked them may still be running; they are rare and left to the finalizer.
/// </para>
/// </remarks>
internal sealed partial class TlsCertificateProvider : IDisposable
{
    private readonly string _certificateFile;
    private readonly string _keyFile;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private LoadedPair _current;
    private FileStamp _failed;

    public TlsCertificateProvider(WorkerOptions options, TimeProvider time, ILogger<TlsCertificateProvider> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _certificateFile = options.SslCertificateFile;
        _keyFile = options.SslKeyFile;
        _time = time;
        _logger = logger;
        _current = LoadOrThrow(_certificateFile, _keyFile);
        LogLoaded(_current.Certificate, reloaded: false);
    }

    /// <summary>
    /// Fails start-up early (before the engine loads a model) with a message that names the file, when TLS is
    /// on and the pair cannot be loaded.
    /// </summary>
    /// <exception cref="WorkerOptionsException">The certificate or the key is missing, unreadable or invalid.</exception>
    public static void Validate(WorkerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        LoadOrThrow(options.SslCertificateFile, options.SslKeyFile).Certificate.Dispose();
    }

    /// <summary>Kestrel's per-connection TLS callback (<see cref="TlsHandshakeCallbackOptions.OnConnection"/>).</summary>
    public ValueTask<SslServerAuthenticationOptions> OnConnection(TlsHandshakeCallbackContext context) =>
        ValueTask.FromResult(new SslServerAuthenticationOptions
        {
            ServerCertificateContext = GetCurrent().Context,
            ClientCertificateRequired = false,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        });

    public void Dispose() => Volatile.Read(ref _current).Certificate.Dispose();

    private LoadedPair GetCurrent()
    {
        var current = Volatile.Read(ref _current);
        var stamp = FileStamp.Read(_certificateFile, _keyFile);
        if (stamp == current.Stamp)
        {
            return current;
        }

        lock (_gate)
        {
            current = _current;
            if (stamp == current.Stamp || stamp == _failed)
            {
                return current;
            }

            try
            {
                var loaded = Load(_certificateFile, _keyFile, stamp);
                Volatile.Write(ref _current, loaded);
                _failed = default;
                LogLoaded(loaded.Certificate, reloaded: true);
                return loaded;
            }
            catch (Exception ex) when (IsLoadFailure(ex))
            {
                _failed = stamp;
                Log.ReloadFailed(_logger, _certificateFile, _keyFile, ex.Message);
                return current;
            }
        }
    }

    private static LoadedPair LoadOrThrow(string certificateFile, string keyFile)
    {
        var help = "VESPA_USE_SSL is on, so the worker needs the certificate (VESPA_SSL_CERT_FILE) and its key (VESPA_SSL_KEY_FILE) as PEM files; "
            + "on vast.ai scripts/start_server.sh provisions them, elsewhere point the variables at your files or set VESPA_USE_SSL=false.";
        if (!File.Exists(certificateFile))
        {
            throw new WorkerOptionsException($"The TLS certificate file {certificateFile} does not exist. {help}");
        }

        if (!File.Exists(keyFile))
        {
            throw new WorkerOptionsException($"The TLS key file {keyFile} does not exist. {help}");
        }

        try
        {
            return Load(certificateFile, keyFile, FileStamp.Read(certificateFile, keyFile));
        }
        catch (Exception ex) when (IsLoadFailure(ex))
        {
            throw new WorkerOptionsException($"The TLS certificate {certificateFile} with key {keyFile} could not be loaded: {ex.Message} {help}", ex);
        }
    }

    private static LoadedPair Load(string certificateFile, string keyFile, FileStamp stamp)
    {
        // The leaf is the first certificate of the file; its key must be in keyFile (PKCS#8, PKCS#1 or SEC1 PEM).
        var certificate = X509Certificate2.CreateFromPemFile(certificateFile, keyFile);
        try
        {
            var chain = new X509Certificate2Collection();
            chain.ImportFromPemFile(certificateFile);
            var intermediates = new X509Certificate2Collection();
            foreach (var extra in chain)
            {
                if (extra.Thumbprint != certificate.Thumbprint)
                {
                    intermediates.Add(extra);
                }
            }

            var context = SslStreamCertificateContext.Create(certificate, intermediates, offline: true);
            return new LoadedPair(certificate, context, stamp);
        }
        catch
        {
            certificate.Dispose();
            throw;
        }
    }

    private void LogLoaded(X509Certificate2 certificate, bool reloaded)
    {
        var notAfter = certificate.NotAfter.ToUniversalTime();
        if (_logger.IsEnabled(LogLevel.Information))
        {
            if (reloaded)
            {
                Log.Reloaded(_logger, _certificateFile, certificate.Subject, notAfter, certificate.Thumbprint);
            }
            else
            {
                Log.Loaded(_logger, _certificateFile, certificate.Subject, notAfter, certificate.Thumbprint);
            }
        }

        // Served anyway (clients decide), but an expired certificate is the likely cause of every TLS failure.
        if (new DateTimeOffset(notAfter, TimeSpan.Zero) < _time.GetUtcNow())
        {
            Log.Expired(_logger, _certificateFile, notAfter);
        }
    }

    private static bool IsLoadFailure(Exception ex) =>
        ex is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException;

    private sealed record LoadedPair(X509Certificate2 Certificate, SslStreamCertificateContext Context, FileStamp Stamp);

    /// <summary>Size and last-write time of both files; a missing file reads as length -1.</summary>
    private readonly record struct FileStamp(long CertificateTicks, long CertificateLength, long KeyTicks, long KeyLength)
    {
        public static FileStamp Read(string certificateFile, string keyFile)
        {
            var (certificateTicks, certificateLength) = Stat(certificateFile);
            var (keyTicks, keyLength) = Stat(keyFile);
            return new FileStamp(certificateTicks, certificateLength, keyTicks, keyLength);
        }

        private static (long Ticks, long Length) Stat(string path)
        {
            try
            {
                var info = new FileInfo(path);
                return info.Exists ? (info.LastWriteTimeUtc.Ticks, info.Length) : (0, -1);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return (0, -1);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 20, EventName = "TlsCertificateLoaded", Level = LogLevel.Information, Message = "TLS certificate loaded from {File}: {Subject}, valid until {NotAfter:u}, thumbprint {Thumbprint}")]
        public static partial void Loaded(ILogger logger, string file, string subject, DateTime notAfter, string thumbprint);

        [LoggerMessage(EventId = 21, EventName = "TlsCertificateReloaded", Level = LogLevel.Information, Message = "TLS certificate {File} changed and was reloaded: {Subject}, valid until {NotAfter:u}, thumbprint {Thumbprint}")]
        public static partial void Reloaded(ILogger logger, string file, string subject, DateTime notAfter, string thumbprint);

        [LoggerMessage(EventId = 22, EventName = "TlsCertificateReloadFailed", Level = LogLevel.Warning, Message = "TLS certificate {File} or key {KeyFile} changed but could not be loaded ({Reason}); the previous certificate stays in use until the files change again")]
        public static partial void ReloadFailed(ILogger logger, string file, string keyFile, string reason);

        [LoggerMessage(EventId = 23, EventName = "TlsCertificateExpired", Level = LogLevel.Warning, Message = "TLS certificate {File} expired on {NotAfter:u}: clients will refuse the connection")]
        public static partial void Expired(ILogger logger, string file, DateTime notAfter);
    }
}
