using Vespa.Worker.Hosting;
using Vespa.Worker.Options;

namespace Vespa.Worker;

/// <summary>vespa-worker entry point: read options, build, run.</summary>
public static class Program
{
    public static async Task<int> Main()
    {
        WorkerOptions options;
        try
        {
            options = WorkerOptionsLoader.LoadFromProcessEnvironment();
        }
        catch (WorkerOptionsException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message);
            return 2;
        }

        await using var app = await WorkerApplication.CreateAsync(options);
        await app.RunAsync();
        return 0;
    }
}
