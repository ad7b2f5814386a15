using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Vespa.Engine.Api;

/// <summary>
/// Hosts the embedded engine's OpenAI API on a loopback port inside the worker process. The
/// worker forwards to it exactly as to an external backend, so signatures, admission, metrics and
/// streaming behave the same whichever backend serves. It listens at once; <c>/health</c> answers
/// 503 until the model is loaded (downloaded or generated first when needed).
/// </summary>
public sealed partial class EngineServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ILogger _logger;
    private readonly TaskCompletionSource<string> _failed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile LlamaEngine? _engine;
    private volatile string? _loadError;
    private Task _loading = Task.CompletedTask;

    private EngineServer(WebApplication app, ILogger logger)
    {
        _app = app;
        _logger = logger;
    }

    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>The loaded engine; <c>null</c> while loading or after a failure.</summary>
    internal LlamaEngine? Engine => _engine;

    /// <summary>Why the engine could not be loaded; <c>null</c> while loading or when loaded.</summary>
    public string? LoadError => _loadError;

    /// <summary>Why the loaded engine stopped generating (its inference loop died); <c>null</c> while it works.</summary>
    public string? RuntimeFailure => _engine?.Scheduler.FailureReason;

    /// <summary>
    /// Completes with <see cref="RuntimeFailure"/> when the loaded engine's inference loop dies (never otherwise), so the
    /// worker can tell the autoscaler at once.
    /// </summary>
    public Task<string> Failed => _failed.Task;

    /// <summary>Unix time the model finished loading (the <c>created</c> of <c>/v1/models</c>).</summary>
    public long LoadedAt { get; private set; }

    /// <summary>
    /// Starts listening on 127.0.0.1 and loads the model in the background with
    /// <paramref name="resolveModelAsync"/> (download or generation) then <see cref="LlamaEngine.Load"/>.
    /// </summary>
    public static async Task<EngineServer> StartAsync(EngineOptions options, Func<CancellationToken, Task<string>> resolveModelAsync, ILoggerFactory loggers, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(resolveModelAsync);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Loopback, 0);
        });
        var app = builder.Build();
        var server = new EngineServer(app, loggers.CreateLogger<EngineServer>());
        new OpenAiEndpoints(server, time).Map(app);
        await app.StartAsync(cancellationToken);
        server.BaseUrl = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        server._loading = Task.Run(() => server.LoadAsync(options, resolveModelAsync, loggers, time), CancellationToken.None);
        return server;
    }

    /// <summary>Waits until the model is loaded or failed (tests and start-up logs).</summary>
    public Task WhenLoadedAsync() => _loading;

    private async Task LoadAsync(EngineOptions options, Func<CancellationToken, Task<string>> resolveModelAsync, ILoggerFactory loggers, TimeProvider time)
    {
        try
        {
            var path = await resolveModelAsync(_stopping.Token);
            var engine = LlamaEngine.Load(path, options, loggers);
            _ = engine.Scheduler.Failed.ContinueWith(failed => _failed.TrySetResult(failed.Result), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously | TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
            _engine = engine;
            LoadedAt = time.GetUtcNow().ToUnixTimeSeconds();
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Kept for /health and the worker's error_msg: the process stays up and says why.
            _loadError = ex.Message;
            Log.LoadFailed(_logger, ex.Message);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
        try
        {
            await _loading;
        }
        finally
        {
            _engine?.Dispose();
            _stopping.Dispose();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 502, EventName = "EngineLoadFailed", Level = LogLevel.Error, Message = "The embedded engine could not be loaded: {Reason}")]
        public static partial void LoadFailed(ILogger logger, string reason);
    }
}
