namespace Vespa.Client.Configuration;

/// <summary>The environment variables the client reads (flags win over them).</summary>
internal static class ClientEnvironmentVariables
{
    /// <summary>The account key, as in the vast.ai CLI and SDK (what the console accepts; endpoint keys are looked up
    /// with it). Until vespa-client 0.1 this variable held the endpoint key (README, "Migration").</summary>
    public const string AccountKey = "VAST_API_KEY";

    /// <summary>The account key under the claudius proxy's name, read after <see cref="AccountKey"/>.</summary>
    public const string AccountKeyAlternative = "VAST_ACCOUNT_KEY";

    /// <summary>The endpoint key (what <c>/route/</c> accepts).</summary>
    public const string EndpointKey = "VAST_ENDPOINT_KEY";

    public const string Endpoint = "VAST_ENDPOINT";

    public const string Instance = "VESPA_INSTANCE";

    public const string AutoscalerUrl = "VESPA_AUTOSCALER_URL";

    public const string ConsoleUrl = "VESPA_CONSOLE_URL";

    public const string Timeout = "VESPA_TIMEOUT";

    public const string AttemptTimeout = "VESPA_ATTEMPT_TIMEOUT";

    public const string MaxRetries = "VESPA_MAX_RETRIES";

    public const string MaxConnections = "VESPA_MAX_CONNECTIONS";

    public const string MaxConnectionsPerHost = "VESPA_MAX_CONNECTIONS_PER_HOST";

    public const string VastRootCert = "VESPA_VAST_ROOT_CERT";

    /// <summary>The XDG base directory for caches; the vast.ai root certificate is kept under <c>vespa/</c> in it.</summary>
    public const string CacheHome = "XDG_CACHE_HOME";

    /// <summary>The XDG base directory for configuration, where the vast.ai CLI keeps <c>vastai/vast_api_key</c>.</summary>
    public const string ConfigHome = "XDG_CONFIG_HOME";
}
