namespace Vespa.Client.Configuration;

/// <summary>
/// Everything the request path needs to know, resolved once from the command line, the environment and the defaults
/// (<see cref="ClientDefaults"/>). Immutable: one instance serves a whole <c>call</c> or proxy run.
/// </summary>
internal sealed record ClientSettings
{
    /// <summary>The autoscaler (<c>/route/</c>). <value>Default: the instance's, <c>https://run.vast.ai</c>.</value></summary>
    public required Uri AutoscalerUrl { get; init; }

    /// <summary>The console (<c>/api/v0/endptjobs/</c>). <value>Default: the instance's, <c>https://console.vast.ai</c>.</value></summary>
    public required Uri ConsoleUrl { get; init; }

    /// <summary>The instance name (<c>prod</c>, <c>alpha</c>, <c>candidate</c>), passed to the console listing.</summary>
    public string Instance { get; init; } = ClientDefaults.Instance;

    public TimeSpan TotalTimeout { get; init; } = ClientDefaults.TotalTimeout;

    public TimeSpan AttemptTimeout { get; init; } = ClientDefaults.AttemptTimeout;

    public TimeSpan ControlTimeout { get; init; } = ClientDefaults.ControlTimeout;

    public TimeSpan IdleTimeout { get; init; } = ClientDefaults.IdleTimeout;

    public TimeSpan ConnectTimeout { get; init; } = ClientDefaults.ConnectTimeout;

    public int MaxRetries { get; init; } = ClientDefaults.MaxRetries;

    public TimeSpan RetryBaseDelay { get; init; } = ClientDefaults.RetryBaseDelay;

    public TimeSpan RetryMaxDelay { get; init; } = ClientDefaults.RetryMaxDelay;

    public TimeSpan RetryAfterMax { get; init; } = ClientDefaults.RetryAfterMax;

    public TimeSpan WaitingPollDelay { get; init; } = ClientDefaults.WaitingPollDelay;

    public TimeSpan WaitingPollMaxDelay { get; init; } = ClientDefaults.WaitingPollMaxDelay;

    public int BreakerFailureThreshold { get; init; } = ClientDefaults.BreakerFailureThreshold;

    public TimeSpan BreakerDuration { get; init; } = ClientDefaults.BreakerDuration;

    public int MaxConnections { get; init; } = ClientDefaults.MaxConnections;

    public int MaxConnectionsPerHost { get; init; } = ClientDefaults.MaxConnectionsPerHost;

    /// <summary>The vast.ai root certificate file (PEM or DER), trusted next to the system store; <c>null</c>: system
    /// store only.</summary>
    public string? VastRootCertificateFile { get; init; }

    /// <summary>Whether the vast.ai root certificate is downloaded from the console
    /// (<c>{console}/static/jvastai_root.cer</c>, as the SDK does) before the first https worker call, when no
    /// <see cref="VastRootCertificateFile"/> is given. Commands that never call workers leave it off.</summary>
    public bool FetchVastRoot { get; init; }

    /// <summary>Where a downloaded root is kept between runs (<c>~/.cache/vespa/jvastai_root.cer</c>); <c>null</c>:
    /// downloaded on every run.</summary>
    public string? VastRootCacheFile { get; init; }

    /// <summary>Explain rejected certificates on the error writer.</summary>
    public bool TlsDebug { get; init; }
}
