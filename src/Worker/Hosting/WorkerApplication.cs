using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Vespa.Worker.Demo;
using Vespa.Worker.Forwarding;
using Vespa.Worker.Options;

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

        // Without an external backend the worker fronts its embedded default (for now the demo backend).
        DemoBackend? demo = null;
        var backendUrl = options.BackendUrl;
        if (backendUrl is null)
        {
            demo = await DemoBackend.StartAsync(cancellationToken);
            backendUrl = demo.BaseUrl;
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.AddVespaWorker(options, new BackendTarget(backendUrl, demo is null ? null : "embedded:" + DemoBackend.ModelId));
        configure?.Invoke(builder);

        var app = builder.Build();
        app.MapVespaWorker();

        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Vespa.Worker");
        app.Lifetime.ApplicationStarted.Register(() => LogStarted(app, options, backendUrl, demo is not null, logger));
        if (demo is not null)
        {
            app.Lifetime.ApplicationStopped.Register(() => demo.DisposeAsync().AsTask().GetAwaiter().GetResult());
        }

        return app;
    }

    /// <summary>The address the worker listens on once started (with the real port when 0 was asked).</summary>
    public static Uri GetListenAddress(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        return new Uri(addresses.First());
    }

    private static void LogStarted(WebApplication app, WorkerOptions options, Uri backend, bool demo, ILogger logger)
    {
        var address = app.GetListenAddress();
        Log.Listening(logger, address, backend, demo ? " (built-in demo backend)" : "");
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
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, EventName = "Listening", Level = LogLevel.Information, Message = "vespa-worker listening on {Address}, forwarding to {Backend}{Note}")]
        public static partial void Listening(ILogger logger, Uri address, Uri backend, string note);

        [LoggerMessage(EventId = 2, EventName = "Unsecured", Level = LogLevel.Warning, Message = "Signature checks are OFF: {Reason}; listening on loopback only")]
        public static partial void Unsecured(ILogger logger, string reason);

        [LoggerMessage(EventId = 3, EventName = "UnsecuredPublic", Level = LogLevel.Critical, Message = "!!! Signature checks are OFF and the worker listens on {Host}: anyone who can reach this port can use the backend !!!")]
        public static partial void UnsecuredPublic(ILogger logger, string host);
    }
}
