using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Vespa.Worker.Hosting;
using Vespa.Worker.Lifecycle;
using Vespa.Worker.Options;
using Vespa.Worker.Reporting;

namespace Vespa.Worker;

/// <summary>
/// vespa-worker entry point: read options, build, run. A launch failure stops everything that had started and only
/// the error beacon runs (exit 2); a stop whose drain cut requests exits 1; a clean stop exits 0.
/// </summary>
public static class Program
{
    /// <summary>How long a failed launch may take to stop what it had started before the beacon takes over.</summary>
    private static readonly TimeSpan FailedStartStopTimeout = TimeSpan.FromSeconds(5);

    public static async Task<int> Main()
    {
        WebApplication? app = null;
        try
        {
            var options = WorkerOptionsLoader.LoadFromProcessEnvironment();
            app = await WorkerApplication.CreateAsync(options);
            await app.StartAsync();
        }
        catch (Exception ex) when (ex is WorkerOptionsException or IOException or SocketException or InvalidOperationException)
        {
            // Configuration, TLS files or a taken port: exit 2 with the reason, after telling the autoscaler.
            await Console.Error.WriteLineAsync(ex.Message);
            if (app is not null)
            {
                // The background loops and the embedded engine were already running; a half-alive worker must not
                // keep sending ready reports between the beacon's.
                await StopFailedStartAsync(app);
            }

            await RunBeaconUntilStoppedAsync(ex.Message);
            return 2;
        }

        await using (app)
        {
            await app.WaitForShutdownAsync();
            return app.Services.GetRequiredService<ShutdownMonitor>().ExitCode;
        }
    }

    [SuppressMessage("Design", "CA1031:Do not catch general exception types", Justification = "Best effort on the way to the beacon: whatever stopping throws, the beacon must run.")]
    private static async Task StopFailedStartAsync(WebApplication app)
    {
        try
        {
            using var timeout = new CancellationTokenSource(FailedStartStopTimeout);
            await app.StopAsync(timeout.Token);
            await app.DisposeAsync();
        }
        catch (Exception stopError)
        {
            await Console.Error.WriteLineAsync("stopping after the failed launch: " + stopError.Message);
        }
    }

    private static async Task RunBeaconUntilStoppedAsync(string error)
    {
        using var stop = new CancellationTokenSource();
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stop.Cancel();
        });
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            environment[(string)entry.Key] = entry.Value as string ?? "";
        }

        await LaunchFailureBeacon.RunAsync(environment, error, handler: null, TimeProvider.System, stop.Token);
    }
}
