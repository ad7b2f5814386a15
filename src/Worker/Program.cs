using System.Net.Sockets;
using Vespa.Worker.Hosting;
using Vespa.Worker.Options;
using Vespa.Worker.Reporting;

namespace Vespa.Worker;

/// <summary>vespa-worker entry point: read options, build, run; a launch failure is reported, not silent.</summary>
public static class Program
{
    public static async Task<int> Main()
    {
        WebApplication app;
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
            using var stop = new CancellationTokenSource();
            using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, context =>
            {
                context.Cancel = true;
                stop.Cancel();
            });
            Console.CancelKeyPress += (_, e) =>
            {
                e.Cancel = true;
                stop.Cancel();
            };
            await LaunchFailureBeacon.RunAsync(ex.Message, stop.Token);
            return 2;
        }

        await using (app)
        {
            await app.WaitForShutdownAsync();
        }

        return 0;
    }
}
