using System.CommandLine;
using System.Globalization;
using Vespa.Client.Configuration;
using Vespa.Client.Output;
using Vespa.Client.Routing;

namespace Vespa.Client.Commands;

/// <summary><c>vespa-client endpoints</c>: the account's endpoints with their state (never their keys).</summary>
internal static class EndpointsCommand
{
    public static Command Create(CliConsole console, ClientServices services)
    {
        var json = new Option<bool>("--json") { Description = "Machine-readable output: a JSON array of {id, name, state}." };
        var client = new ClientOptions(routing: false);
        var command = new Command("endpoints", "List your endpoints and their state (needs the account key).") { json };
        client.AddTo(command, endpoint: false);
        command.SetAction((parse, cancellationToken) => RunAsync(console, services, client, parse, parse.GetValue(json), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(CliConsole console, ClientServices services, ClientOptions options, ParseResult parse, bool json, CancellationToken cancellationToken)
    {
        var (runtime, failure) = RuntimeFactory.Create(parse, options, services, console);
        if (runtime is null)
        {
            return await failure!.ReportAsync(console, "endpoints", json).ConfigureAwait(false);
        }

        using (runtime)
        {
            try
            {
                AccountKeySource? accountKey;
                try
                {
                    accountKey = options.AccountKeyValue(parse, services.Environment);
                }
                catch (IOException e)
                {
                    return await CommandFailure.Auth(e.Message).ReportAsync(console, "endpoints", json).ConfigureAwait(false);
                }

                if (accountKey is null)
                {
                    return await CommandFailure.Auth($"no account key: pass --account-key, set {ClientEnvironmentVariables.AccountKey}, or write it to ~/{ClientEnvironment.AccountKeyFileName}.")
                        .ReportAsync(console, "endpoints", json).ConfigureAwait(false);
                }

                var resolver = new EndpointResolver(console, runtime, options, parse, services.Environment);
                IReadOnlyList<EndpointJob>? jobs;
                var status = new StatusLine(console, services.Time);
                await using (status.ConfigureAwait(false))
                {
                    (jobs, failure) = await resolver.ListAsync(accountKey, status, cancellationToken).ConfigureAwait(false);
                }

                if (jobs is null)
                {
                    return await failure!.ReportAsync(console, "endpoints", json).ConfigureAwait(false);
                }

                var sorted = jobs.OrderBy(j => j.Name, StringComparer.Ordinal).ToList();
                var text = json ? JsonList(sorted) + "\n" : Table(sorted);
                await console.Output.WriteAsync(console.IsTerminal ? TerminalText.Sanitize(text) : text).ConfigureAwait(false);
                await console.Output.FlushAsync(cancellationToken).ConfigureAwait(false);
                return ExitCodes.Success;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return await CommandFailure.Cancelled().ReportAsync(console, "endpoints", json).ConfigureAwait(false);
            }
        }
    }

    internal static string Table(IReadOnlyList<EndpointJob> jobs)
    {
        if (jobs.Count == 0)
        {
            return "(no endpoints)\n";
        }

        var nameWidth = Math.Max("NAME".Length, jobs.Max(j => j.Name.Length));
        var idWidth = Math.Max("ID".Length, jobs.Max(j => j.Id.ToString(CultureInfo.InvariantCulture).Length));
        var lines = new List<string> { $"{"NAME".PadRight(nameWidth)}  {"ID".PadLeft(idWidth)}  STATE" };
        lines.AddRange(jobs.Select(j => $"{j.Name.PadRight(nameWidth)}  {j.Id.ToString(CultureInfo.InvariantCulture).PadLeft(idWidth)}  {j.State ?? "-"}"));
        return string.Join('\n', lines) + "\n";
    }

    private static string JsonList(IReadOnlyList<EndpointJob> jobs) =>
        JsonOutput.Write(writer =>
        {
            writer.WriteStartArray();
            foreach (var job in jobs)
            {
                writer.WriteStartObject();
                writer.WriteNumber("id", job.Id);
                writer.WriteString("name", job.Name);
                writer.WriteString("state", job.State);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        });
}
