using System.CommandLine;
using Vespa.Client.Output;

namespace Vespa.Client.Commands;

/// <summary><c>vespa-client key</c>: prints an endpoint's key, looked up with the account key
/// (<c>export VAST_API_KEY=$(vespa-client key -e NAME)</c>).</summary>
internal static class KeyCommand
{
    public static Command Create(CliConsole console, ClientServices services)
    {
        var json = new Option<bool>("--json") { Description = "Machine-readable output: {\"endpoint\", \"api_key\"}." };
        var client = new ClientOptions(routing: false);
        var command = new Command("key", "Print an endpoint's key, looked up with your account key.") { json };
        client.AddTo(command, endpoint: true);
        command.SetAction((parse, cancellationToken) => RunAsync(console, services, client, parse, parse.GetValue(json), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(CliConsole console, ClientServices services, ClientOptions options, ParseResult parse, bool json, CancellationToken cancellationToken)
    {
        var (runtime, failure) = RuntimeFactory.Create(parse, options, services, console);
        if (runtime is null)
        {
            return await failure!.ReportAsync(console, "key", json).ConfigureAwait(false);
        }

        using (runtime)
        {
            try
            {
                var resolver = new EndpointResolver(console, runtime, options, parse, services.Environment);
                var (target, resolveFailure) = await resolver.ResolveAsync(needKey: false, cancellationToken).ConfigureAwait(false);
                if (target is null)
                {
                    return await resolveFailure!.ReportAsync(console, "key", json).ConfigureAwait(false);
                }

                await console.Output.WriteLineAsync(json
                    ? JsonOutput.Write(writer =>
                    {
                        writer.WriteStartObject();
                        writer.WriteString("endpoint", target.Name);
                        writer.WriteString("api_key", target.ApiKey);
                        writer.WriteEndObject();
                    })
                    : target.ApiKey).ConfigureAwait(false);
                await console.Output.FlushAsync(cancellationToken).ConfigureAwait(false);
                return ExitCodes.Success;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return await CommandFailure.Cancelled().ReportAsync(console, "key", json).ConfigureAwait(false);
            }
        }
    }
}
