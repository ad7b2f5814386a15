namespace Vespa.Client.Configuration;

/// <summary>The environment variables the client reads (flags win over them).</summary>
internal static class ClientEnvironmentVariables
{
    /// <summary>The endpoint key (what <c>/route/</c> accepts), as in the claudius proxy.</summary>
    public const string ApiKey = "VAST_API_KEY";

    /// <summary>The account key (what the console accepts), to look endpoint keys up.</summary>
    public const string AccountKey = "VAST_ACCOUNT_KEY";

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
}
