using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Vespa.Worker.Admission;
using Vespa.Worker.Envelopes;
using Vespa.Worker.Forwarding;
using Vespa.Worker.Lifecycle;
using Vespa.Worker.Metrics;
using Vespa.Worker.Metrics.Gpu;
using Vespa.Worker.Options;
using Vespa.Worker.Reporting;
using Vespa.Worker.Sessions;
using Vespa.Worker.Security;

namespace Vespa.Worker.Hosting;

/// <summary>All of the worker's service wiring, so Program only composes.</summary>
internal static class WorkerServiceCollectionExtensions
{
    public static WebApplicationBuilder AddVespaWorker(this WebApplicationBuilder builder, WorkerOptions options, Func<BackendTarget> backend)
    {
        ConfigureLogging(builder, options);
        ConfigureKestrel(builder, options);

        var services = builder.Services;
        services.AddSingleton(options);
        services.AddSingleton(_ => backend());
        services.AddSingleton<EmbeddedBackend>();
        services.AddHttpClient(nameof(Vespa.Engine.Models.ModelDownloader))
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { UseProxy = true, ConnectTimeout = TimeSpan.FromSeconds(30) })
            .ConfigureHttpClient(client => client.Timeout = Timeout.InfiniteTimeSpan);
        services.TryAddSingleton(TimeProvider.System);

        services.AddHttpForwarder();
        services.AddSingleton(_ => BackendInvokerFactory.Create(options));
        services.AddSingleton<EnvelopeTransformer>();
        services.AddSingleton<BackendForwarder>();
        services.AddSingleton(new BlockedPathMatcher(options.BlockedPaths));
        services.AddSingleton(sp => new RequestPathPolicy(sp.GetRequiredService<BlockedPathMatcher>(), options.AllowEncodedSlashes));
        services.AddSingleton(new UnverifiedBodyBudget(options.UnverifiedBodyBudget));
        services.AddSingleton<EnvelopeReader>();
        services.AddSingleton(new WorkerUrlBinding(options));
        services.AddSingleton<SignatureChecker>();
        services.AddSingleton<ProxyRequestHandler>();

        services.AddSingleton(new WorkerMetrics(Prometheus.Metrics.NewCustomRegistry()));
        services.AddSingleton<MetricsEndpoint>();
        // GPU figures from NVML beside the worker's own, read on their own loop (none without NVML).
        services.AddHostedService<GpuSampler>();
        services.AddSingleton<WorkerState>();
        services.AddSingleton<LoadTracker>();
        services.AddSingleton<AdmissionController>();
        services.AddSingleton<BackgroundLoops>();
        // SIGTERM's bookkeeping: "stopping" in error_msg, the drain deadline, the exit code (its StoppedAsync
        // runs after every service stopped, i.e. after the drain and the final reports).
        services.AddSingleton<ShutdownMonitor>();
        services.AddHostedService(sp => sp.GetRequiredService<ShutdownMonitor>());
        services.AddHostedService<ReadinessService>();
        services.AddHttpClient(nameof(ReadinessService))
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { UseProxy = false, ConnectTimeout = options.HealthcheckTimeout });
        services.AddHttpClient("Benchmark")
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { UseProxy = false, ConnectTimeout = options.BackendConnectTimeout });

        services.AddSingleton<SessionStore>();
        services.AddSingleton<SessionEndpoints>();
        services.AddSingleton<PyworkerUpdateEndpoint>();
        services.AddSingleton<SessionEndListener>();
        services.AddHostedService<SessionReaper>();
        services.AddHttpClient(nameof(SessionStore))
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { UseProxy = false, ConnectTimeout = options.BackendConnectTimeout });

        services.AddSingleton<AutoscalerClient>();
        services.AddHttpClient(nameof(AutoscalerClient))
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                UseProxy = false,
                MaxConnectionsPerServer = options.MetricsConnectionLimitPerHost,
                ConnectTimeout = options.MetricsTimeout,
            })
            .ConfigureHttpClient(client => client.Timeout = Timeout.InfiniteTimeSpan); // per-attempt timeouts come from VESPA_METRICS_TIMEOUT
        services.AddSingleton<WorkerStatusReporter>();
        services.AddHostedService(sp => sp.GetRequiredService<WorkerStatusReporter>());
        services.AddSingleton<DeleteRequestsReporter>();
        services.AddHostedService(sp => sp.GetRequiredService<DeleteRequestsReporter>());

        services.Configure<HostOptions>(host =>
        {
            // SIGTERM: Kestrel (stopped first) stops accepting and in-flight requests get this long to finish;
            // then the reporters send what is left within ShutdownMonitor.FinalReportBudget.
            host.ShutdownTimeout = options.DrainTimeout;
            // The last line of defence: every loop catches its own failures (BackgroundLoop), but an exception that
            // still escaped a background service must not stop a worker that is serving requests.
            host.BackgroundServiceExceptionBehavior = BackgroundServiceExceptionBehavior.Ignore;
        });

        services.AddSingleton<PublicKeyStore>();
        services.AddHostedService<PublicKeyFetcher>();
        services.AddHttpClient(nameof(PublicKeyFetcher))
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { UseProxy = false, ConnectTimeout = options.PubkeyTimeout });

        return builder;
    }

    private static void ConfigureKestrel(WebApplicationBuilder builder, WorkerOptions options)
    {
        if (options.UseSsl)
        {
            // A missing or bad certificate stops start-up here, naming the file, before any model is loaded.
            TlsCertificateProvider.Validate(options);
            builder.Services.AddSingleton<TlsCertificateProvider>();
        }

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            KestrelLimits.Apply(kestrel.Limits, options);
            var address = options.Host == "localhost" ? IPAddress.Loopback : IPAddress.Parse(options.Host);
            if (options.UseSsl)
            {
                // The certificate is chosen per handshake, so replaced files are served without a restart.
                var tls = kestrel.ApplicationServices.GetRequiredService<TlsCertificateProvider>();
                kestrel.Listen(address, options.WorkerPort, listen => listen.UseHttps(new TlsHandshakeCallbackOptions { OnConnection = tls.OnConnection }));
            }
            else
            {
                kestrel.Listen(address, options.WorkerPort);
            }

            if (options.WorkerHttpPort is { } httpPort)
            {
                kestrel.ApplicationServices.GetRequiredService<SessionEndListener>().Listen(kestrel, address, httpPort);
            }

            if (options.MetricsPort is { } metricsPort)
            {
                kestrel.Listen(IPAddress.Loopback, metricsPort);
            }
        });
    }

    private static void ConfigureLogging(WebApplicationBuilder builder, WorkerOptions options)
    {
        builder.Logging.ClearProviders();
        if (Console.IsOutputRedirected)
        {
            // Not a terminal (a container, a log file): one JSON object per line.
            builder.Logging.AddJsonConsole(json =>
            {
                json.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                json.UseUtcTimestamp = true;
            });
        }
        else
        {
            builder.Logging.AddSimpleConsole(simple =>
            {
                simple.SingleLine = true;
                simple.TimestampFormat = "HH:mm:ss ";
            });
        }

        builder.Logging.SetMinimumLevel(options.LogLevel);
        // Framework chatter (one line per request from YARP and hosting) would drown the state changes we log.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Yarp", LogLevel.Warning);
        builder.Logging.AddFilter("System.Net.Http.HttpClient", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Extensions.Http", LogLevel.Warning);
        if (options.LogLevel > LogLevel.Debug)
        {
            // ASP.NET Core's hosting layer starts an Activity and a logging scope for every request whenever its
            // category is enabled at any level, even though it only logs per-request lines at Information and Debug.
            // Off unless the worker logs at Debug: one Activity, one scope and their allocations per request less
            // (issue 10). Request failures are still logged by Kestrel and by the worker itself.
            builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        }
    }
}
