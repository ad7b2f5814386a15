using Vespa.Core.Signatures;

namespace Vespa.Emulator;

/// <summary>Settings of an <see cref="AutoscalerEmulator"/>. Read once by <see cref="AutoscalerEmulator.StartAsync"/>.</summary>
public sealed class EmulatorOptions
{
    /// <summary>The default listen port (what the Python tools call the local autoscaler: <c>localhost:8081</c>).</summary>
    public const int DefaultPort = 8081;

    /// <summary>The default account key accepted by <c>GET /api/v0/endptjobs/</c>.</summary>
    public const string DefaultAccountKey = "local-account-key";

    /// <summary>The default bound of <see cref="AutoscalerEmulator.StatusReports"/> and
    /// <see cref="AutoscalerEmulator.DeleteReports"/>.</summary>
    public const int DefaultMaxRecordedReports = 10_000;

    /// <summary>The default bound of <see cref="AutoscalerEmulator.Events"/>.</summary>
    public const int DefaultMaxRecordedEvents = 2_000;

    /// <summary>The IP address to listen on (<c>localhost</c> means 127.0.0.1). A non-loopback address needs
    /// <see cref="AllowRemote"/>. <value>Default <c>127.0.0.1</c>.</value></summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>The TCP port; 0 picks a free one (tests). <value>Default 8081.</value></summary>
    public int Port { get; set; } = DefaultPort;

    /// <summary>Allow <see cref="Host"/> to be a non-loopback address. The emulator's keys are well known and its
    /// control endpoints are open, so this is off by default.</summary>
    public bool AllowRemote { get; set; }

    /// <summary>What <c>/route/</c> signs: <see cref="SignatureScheme.Url"/> (current vast.ai) or
    /// <see cref="SignatureScheme.Legacy"/>. <see cref="SignatureScheme.Auto"/> names no single message and is refused.</summary>
    public SignatureScheme Scheme { get; set; } = SignatureScheme.Url;

    /// <summary>A PEM private key file (PKCS#8 <c>PRIVATE KEY</c> or PKCS#1 <c>RSA PRIVATE KEY</c>) to sign with;
    /// <c>null</c> generates a fresh 2048-bit key at start.</summary>
    public string? PrivateKeyPemFile { get; set; }

    /// <summary>A PEM private key to sign with, in memory (tests share one instead of generating a key per emulator);
    /// wins over <see cref="PrivateKeyPemFile"/>.</summary>
    public string? PrivateKeyPem { get; set; }

    /// <summary>Workers <c>/route/</c> may pick from the start (more can be added with
    /// <see cref="AutoscalerEmulator.RegisterWorker"/>, and workers that report themselves ready become eligible).</summary>
    public IList<Uri> Workers { get; } = [];

    /// <summary>The endpoints served. Empty means one, <see cref="EmulatedEndpoint.Default"/>.</summary>
    public IList<EmulatedEndpoint> Endpoints { get; } = [];

    /// <summary>The account key <c>GET /api/v0/endptjobs/</c> accepts. <value>Default <c>local-account-key</c>.</value></summary>
    public string AccountKey { get; set; } = DefaultAccountKey;

    /// <summary>How many status reports and how many delete reports are kept (the oldest are dropped).</summary>
    public int MaxRecordedReports { get; set; } = DefaultMaxRecordedReports;

    /// <summary>How many events the event log keeps (the oldest are dropped).</summary>
    public int MaxRecordedEvents { get; set; } = DefaultMaxRecordedEvents;

    /// <summary>A worker that has reported becomes stale (and routes skip it) after this many of its expected report
    /// intervals without a report; the expected interval is the longest of its recent gaps between reports.
    /// <value>Default 3.</value></summary>
    public int StaleAfterMissedReports { get; set; } = 3;

    /// <summary>A worker is never stale sooner than this after its last report, however often it reports (a GC pause
    /// or a loaded machine should not drop a worker that reports ten times a second). <value>Default 3 s.</value></summary>
    public TimeSpan MinimumStaleAfter { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>The report interval assumed for a worker until two of its reports show its own (vespa-worker's
    /// <c>VESPA_METRICS_UPDATE_INTERVAL</c> default). <value>Default 1 s.</value></summary>
    public TimeSpan DefaultReportInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Whether <c>/route/</c> checks the endpoint key. <value>Default <c>true</c>.</value></summary>
    public bool RequireApiKeys { get; set; } = true;

    /// <summary>The clock for report times and fault delays. <value>Default <see cref="TimeProvider.System"/>.</value></summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
