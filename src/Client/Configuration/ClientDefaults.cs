namespace Vespa.Client.Configuration;

/// <summary>The defaults of <see cref="ClientSettings"/>, in one place (README "vespa-client" lists them).</summary>
internal static class ClientDefaults
{
    /// <summary>The whole call until the answer starts (routing, waiting for capacity, retries): 600 s, the SDK's
    /// worker timeout.</summary>
    public static readonly TimeSpan TotalTimeout = TimeSpan.FromSeconds(600);

    /// <summary>One attempt: one <c>/route/</c> plus the worker call until its first answer byte (a non-streamed
    /// answer: until its last byte).</summary>
    public static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(300);

    /// <summary>One <c>/route/</c> or console call (the SDK's and the claudius proxy's 10 s).</summary>
    public static readonly TimeSpan ControlTimeout = TimeSpan.FromSeconds(10);

    /// <summary>A started stream fails when no byte arrives for this long (an idle timeout, never a total one).</summary>
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(300);

    /// <summary>TCP connect timeout for every host.</summary>
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Failed attempts retried after the first (WAITING polls do not count; they go on until the total timeout).</summary>
    public const int MaxRetries = 5;

    /// <summary>First back-off after a failure; doubles per failure, with jitter, up to <see cref="RetryMaxDelay"/>.</summary>
    public static readonly TimeSpan RetryBaseDelay = TimeSpan.FromSeconds(0.5);

    /// <summary>Longest back-off (the SDK's 5 s cap).</summary>
    public static readonly TimeSpan RetryMaxDelay = TimeSpan.FromSeconds(5);

    /// <summary>Longest <c>Retry-After</c> honoured; a longer one is cut to this.</summary>
    public static readonly TimeSpan RetryAfterMax = TimeSpan.FromSeconds(60);

    /// <summary>First poll after a WAITING route (the SDK's 1 s); later polls back off to <see cref="WaitingPollMaxDelay"/>.</summary>
    public static readonly TimeSpan WaitingPollDelay = TimeSpan.FromSeconds(1);

    /// <summary>Longest pause between WAITING polls (the SDK's <c>max_poll_interval</c>, 5 s).</summary>
    public static readonly TimeSpan WaitingPollMaxDelay = TimeSpan.FromSeconds(5);

    /// <summary>Failures in a row that open a worker's circuit.</summary>
    public const int BreakerFailureThreshold = 3;

    /// <summary>How long an open circuit stays open before one probe request may try the worker again.</summary>
    public static readonly TimeSpan BreakerDuration = TimeSpan.FromSeconds(30);

    /// <summary>Routes in a row that land on workers whose circuit is open before the call gives up (with the cause that
    /// opened the circuit). Such re-routes are immediate: they call no worker, so there is nothing to back off from, and
    /// a request to an endpoint whose only worker is down fails at once instead of after the whole back-off series.</summary>
    public const int CircuitOpenReroutes = 3;

    /// <summary>After a failed download of the vast.ai root certificate, how long before the next request may try again
    /// (a long proxy run recovers from a console outage; a burst of requests does not each wait for the console).</summary>
    public static readonly TimeSpan VastRootRetryInterval = TimeSpan.FromSeconds(60);

    /// <summary>Requests in flight at once through the client (<c>VESPA_MAX_CONNECTIONS</c>; the claudius proxy's 100).</summary>
    public const int MaxConnections = 100;

    /// <summary>Connections to one host (<c>VESPA_MAX_CONNECTIONS_PER_HOST</c>; the claudius proxy's 20).</summary>
    public const int MaxConnectionsPerHost = 20;

    /// <summary><c>call</c>'s workload when <c>--cost</c> is not given (the SDK's default).</summary>
    public const double CallCost = 100;

    /// <summary>The proxy's workload when a request has no <c>X-Serverless-Cost</c> header (the claudius proxy's 1.0:
    /// a cost of 1 or less makes the worker use its own <c>VESPA_DEFAULT_COST</c>).</summary>
    public const double ProxyCost = 1.0;

    /// <summary>The workload of the proxy's start-up check of a given endpoint key: one <c>/route/</c> that adds no load.</summary>
    public const double KeyCheckCost = 0;

    /// <summary>The proxy's listen address.</summary>
    public const string ProxyHost = "127.0.0.1";

    /// <summary>The proxy's port (the claudius proxy's 8010).</summary>
    public const int ProxyPort = 8010;

    /// <summary>The largest request body the proxy accepts (it keeps the body to resend it on a retry).</summary>
    public const long MaxProxyBodyBytes = 100L * 1024 * 1024;

    /// <summary>The instance used when none is named.</summary>
    public const string Instance = "prod";
}
