using Vespa.Client.Configuration;
using Vespa.Emulator;
using Vespa.Testing;

namespace Vespa.Client.Tests.Infrastructure;

/// <summary><c>vespa-client proxy</c> running in-process on a free port, against an emulator, until stopped (as by
/// Ctrl+C).</summary>
internal sealed class ProxyHost : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task<CliRun>? _run;

    public Uri BaseUrl { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public static Task<ProxyHost> StartAsync(AutoscalerEmulator emulator, params string[] extra) => StartAsync(emulator, Cli.Fast, extra);

    public static async Task<ProxyHost> StartAsync(AutoscalerEmulator emulator, Func<ClientSettings, ClientSettings> tune, params string[] extra)
    {
        var host = new ProxyHost();
        var started = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        var services = Cli.Services(tune: tune, proxyStarted: url => started.TrySetResult(url));
        host._run = Cli.RunAsync(services, null, false, host._stop.Token, Cli.Against(emulator, ["proxy", "--port", "0", .. extra]));
        var first = await Task.WhenAny(started.Task, host._run).DefaultTimeout();
        if (first == host._run)
        {
            var failed = await host._run;
            throw new InvalidOperationException($"proxy exited {failed.Exit}: {failed.Error}");
        }

        host.BaseUrl = await started.Task;
        host.Client = new HttpClient { BaseAddress = host.BaseUrl, Timeout = TaskTimeoutExtensions.Timeout };
        return host;
    }

    /// <summary>Stops the proxy as Ctrl+C does and returns its run.</summary>
    public async Task<CliRun> StopAsync()
    {
        await _stop.CancelAsync();
        return await _run!.DefaultTimeout();
    }

    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        if (!_stop.IsCancellationRequested)
        {
            await StopAsync();
        }

        _stop.Dispose();
    }
}
