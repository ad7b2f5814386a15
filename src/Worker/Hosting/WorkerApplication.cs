using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Vespa.Engine.Api;
using Vespa.Worker.Metrics;
using Vespa.Worker.Forwarding;
using Vespa.Worker.Options;
using Vespa.Worker.Security;

namespace Vespa.Worker.Hosting;

/// <summary>
/// Builds a ready-to-run worker from options. Used by <c>Program</c> and by the integration
/// tests, which host the real worker on Kestrel at 127.0.0.1:0.
/// </summary>
public static partial class WorkerApplication
{
    public static async Task<WebApplication> CreateAsync(WorkerOptions options, Action<WebApplicationBuilder>? configure = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);

        // The backend URL is known only once the embedded engine (if any) listens; the target is
        // resolved lazily from this variable, which is set before the first request can arrive.
        Uri? backendUrl = options.BackendUrl;
        string? backendIdentity = null;
        var builder = WebApplication.CreateSlimBuilder();
        builder.AddVespaWorker(options, () => new BackendTarget(backendUrl!, backendIdentity));
        configure?.Invoke(builder);

        var app = builder.Build();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Vespa.Worker");
        EngineServer? engine = null;
        if (backendUrl is null)
        {
            engine = await EngineHost.StartAsync(options.Engine, app.Services, cancellationToken);
            backendUrl = engine.BaseUrl;
            backendIdentity = "embedded:" + (options.Engine.Model ?? "demo-model");
            app.Lifetime.ApplicationStopped.Register(() => engine.DisposeAsync().AsTask().GetAwaiter().GetResult());
            var state = app.Services.GetRequiredService<Lifecycle.WorkerState>();
            _ = engine.Failed.ContinueWith(
                failed => state.SetEngineFailure("embedded engine failed: " + failed.Result),
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously | TaskContinuationOptions.OnlyOnRanToCompletion,
                TaskScheduler.Default);
            var metrics = app.Services.GetRequiredService<WorkerMetrics>();
            metrics.Registry.AddBeforeCollectCallback(() => EngineMetrics.Update(metrics, engine));
        }

        app.Services.GetRequiredService<EmbeddedBackend>().Server = engine;
        app.Use(SessionEndListener.FilterAsync);
        app.MapVespaWorker();
        app.Lifetime.ApplicationStarted.Register(() => LogStarted(app, options, backendUrl, engine is not null, logger));
        return app;
    }

    /// <summary>The address the worker listens on once started (with the real port when 0 was asked).</summary>
    public static Uri GetListenAddress(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        return new Uri(addresses.First());
    }

    /// <summary>The plain-HTTP <c>/session/end</c> listener's address once started; null when there is none.</summary>
    public static Uri? GetSessionEndAddress(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.Services.GetRequiredService<SessionEndListener>().Address;
    }

    private static void LogStarted(WebApplication app, WorkerOptions options, Uri backend, bool demo, ILogger logger)
    {
        var address = app.GetListenAddress();
        Log.Listening(logger, address, backend, demo ? " (the embedded llama.cpp engine)" : "");
        if (app.GetSessionEndAddress() is { } sessionEnd)
        {
            Log.SessionEndListening(logger, sessionEnd);
        }

        if (options.PublicUrlProblem is { } problem)
        {
            // Reported in error_msg too: the autoscaler would otherwise list a worker nobody can reach.
            Log.NoPublicUrl(logger, problem);
        }

        if (options.Unsecured)
        {
            if (options.Host is "127.0.0.1" or "localhost" or "::1")
            {
                Log.Unsecured(logger, options.LocalDevelopment ? "no vast.ai variables found (local development mode)" : "VESPA_UNSECURED=true");
            }
            else
            {
                Log.UnsecuredPublic(logger, options.Host);
            }

            return;
        }

        var urls = app.Services.GetRequiredService<WorkerUrlBinding>();
        if (!options.CheckUrl)
        {
            Log.UrlCheckOff(logger);
        }
        else if (urls.ExpectedUrl is { } expected)
        {
            Log.ExpectedUrl(logger, expected);
        }
        else
        {
            Log.ExpectedUrlUnknown(logger, options.WorkerPort);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, EventName = "Listening", Level = LogLevel.Information, Message = "vespa-worker listening on {Address}, forwarding to {Backend}{Note}")]
        public static partial void Listening(ILogger logger, Uri address, Uri backend, string note);

        [LoggerMessage(EventId = 8, EventName = "SessionEndListening", Level = LogLevel.Information, Message = "Plain-HTTP POST /session/end listening on {Address} (WORKER_HTTP_PORT)")]
        public static partial void SessionEndListening(ILogger logger, Uri address);

        [LoggerMessage(EventId = 2, EventName = "Unsecured", Level = LogLevel.Warning, Message = "Signature checks are OFF: {Reason}; listening on loopback only")]
        public static partial void Unsecured(ILogger logger, string reason);

        [LoggerMessage(EventId = 4, EventName = "ExpectedUrl", Level = LogLevel.Information, Message = "Accepting auth_data signed for {Url} only (VESPA_CHECK_URL)")]
        public static partial void ExpectedUrl(ILogger logger, string url);

        [LoggerMessage(EventId = 5, EventName = "UrlCheckOff", Level = LogLevel.Warning, Message = "VESPA_CHECK_URL=false: auth_data signed for any worker is accepted here; only behind a proxy that makes sure requests were signed for this one")]
        public static partial void UrlCheckOff(ILogger logger);

        [LoggerMessage(EventId = 6, EventName = "ExpectedUrlUnknown", Level = LogLevel.Error, Message = "This worker's public url is unknown (PUBLIC_IPADDR and VAST_TCP_PORT_{Port} must both be set), so no auth_data.url can be checked and every signed request gets 401; set them, or VESPA_CHECK_URL=false behind another proxy")]
        public static partial void ExpectedUrlUnknown(ILogger logger, int port);

        [LoggerMessage(EventId = 7, EventName = "NoPublicUrl", Level = LogLevel.Error, Message = "{Problem}")]
        public static partial void NoPublicUrl(ILogger logger, string problem);

        [LoggerMessage(EventId = 3, EventName = "UnsecuredPublic", Level = LogLevel.Critical, Message = "!!! Signature checks are OFF and the worker listens on {Host}: anyone who can reach this port can use the backend !!!")]
        public static partial void UnsecuredPublic(ILogger logger, string host);
    }
}
