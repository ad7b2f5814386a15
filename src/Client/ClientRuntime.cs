using Polly;
using Vespa.Client.Configuration;
using Vespa.Client.Http;
using Vespa.Client.Resilience;
using Vespa.Client.Routing;

namespace Vespa.Client;

/// <summary>
/// What one client run shares, each built once: the connection pool with its TLS policy, the resilience pipeline, the
/// per-worker circuits, the connection slots, and the autoscaler and console clients.
/// </summary>
internal sealed class ClientRuntime : IDisposable
{
    private readonly VastRootStore _vastRoot;

    /// <param name="settings">The resolved settings.</param>
    /// <param name="time">The clock.</param>
    /// <param name="errors">Where warnings and <c>--tls-debug</c> explanations go (standard error); <c>null</c>:
    /// nowhere.</param>
    /// <exception cref="IOException">The vast.ai root certificate file cannot be read.</exception>
    /// <exception cref="System.Security.Cryptography.CryptographicException">The file holds no certificate.</exception>
    public ClientRuntime(ClientSettings settings, TimeProvider time, TextWriter? errors)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(time);
        Settings = settings;
        Time = time;
        _vastRoot = new VastRootStore(settings, time, errors ?? TextWriter.Null);
        Validator = new VastCertificateValidator(() => _vastRoot.Root, settings.TlsDebug ? errors : null);
        Invoker = ClientHttp.CreateInvoker(settings, Validator);
        Pipeline = RequestPipeline.Create(settings, time);
        Breakers = new WorkerCircuitBreakers(settings.BreakerFailureThreshold, settings.BreakerDuration, time);
        ConnectionSlots = new SemaphoreSlim(settings.MaxConnections, settings.MaxConnections);
        Autoscaler = new AutoscalerClient(Invoker, settings.AutoscalerUrl, settings.ControlTimeout, time);
        Console = new ConsoleClient(Invoker, settings.ConsoleUrl, settings.Instance, settings.ControlTimeout, Pipeline, time);
    }

    public ClientSettings Settings { get; }

    public TimeProvider Time { get; }

    public VastCertificateValidator Validator { get; }

    /// <summary>The one connection pool (never an <see cref="HttpClient"/>).</summary>
    public HttpMessageInvoker Invoker { get; }

    public ResiliencePipeline<AttemptOutcome> Pipeline { get; }

    public WorkerCircuitBreakers Breakers { get; }

    /// <summary>Worker calls in flight at once (<see cref="ClientSettings.MaxConnections"/>).</summary>
    public SemaphoreSlim ConnectionSlots { get; }

    public AutoscalerClient Autoscaler { get; }

    public ConsoleClient Console { get; }

    /// <summary>Before an https worker call: the vast.ai root, downloaded once if it is neither configured nor cached
    /// (<see cref="VastRootStore"/>). Never fails the call; only <paramref name="cancellationToken"/> throws.</summary>
    public Task EnsureVastRootAsync(CancellationToken cancellationToken) => _vastRoot.EnsureAsync(Invoker, cancellationToken);

    public void Dispose()
    {
        Invoker.Dispose();
        ConnectionSlots.Dispose();
        _vastRoot?.Dispose();
    }
}
