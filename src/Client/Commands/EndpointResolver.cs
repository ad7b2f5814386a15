using System.CommandLine;
using Vespa.Client.Configuration;
using Vespa.Client.Resilience;
using Vespa.Client.Routing;

namespace Vespa.Client.Commands;

/// <summary>
/// Finds the endpoint and its key: the name from <c>--endpoint</c>/<c>VAST_ENDPOINT</c> or, on a terminal, a choice
/// from the account's list; the key from <c>--endpoint-key</c>/<c>VAST_ENDPOINT_KEY</c> or looked up in that list with
/// the account key (<c>--account-key</c>, <c>VAST_API_KEY</c>, <c>VAST_ACCOUNT_KEY</c>, <c>~/.vast_api_key</c>,
/// <c>~/.config/vastai/vast_api_key</c>), as the vast.ai SDK does.
/// </summary>
internal sealed class EndpointResolver(CliConsole console, ClientRuntime runtime, ClientOptions options, ParseResult parse, ClientEnvironment environment)
{
    public async Task<(EndpointTarget? Target, CommandFailure? Failure)> ResolveAsync(bool needKey, CancellationToken cancellationToken)
    {
        var name = options.EndpointName(parse, environment);
        var endpointKey = needKey ? options.EndpointKeyValue(parse, environment) : null;
        if (name is not null && endpointKey is not null)
        {
            return (new EndpointTarget(name, endpointKey), null);
        }

        AccountKeySource? accountKey;
        try
        {
            accountKey = options.AccountKeyValue(parse, environment);
        }
        catch (IOException e)
        {
            return (null, CommandFailure.Auth(e.Message));
        }

        if (name is null && !console.IsInteractive)
        {
            return (null, CommandFailure.Usage($"no endpoint: pass --endpoint NAME or set {ClientEnvironmentVariables.Endpoint} (on a terminal, with an account key, you can pick one)."));
        }

        if (accountKey is null)
        {
            return (null, CommandFailure.Auth(name is null
                ? $"to pick an endpoint an account key is needed: --account-key, {ClientEnvironmentVariables.AccountKey} or ~/{ClientEnvironment.AccountKeyFileName}."
                : $"no endpoint key for '{name}': pass --endpoint-key or set {ClientEnvironmentVariables.EndpointKey}, or give the account key to look it up (--account-key, {ClientEnvironmentVariables.AccountKey}, ~/{ClientEnvironment.AccountKeyFileName})."));
        }

        var (jobs, failure) = await ListAsync(accountKey, NullProgressSink.Instance, cancellationToken).ConfigureAwait(false);
        if (jobs is null)
        {
            return (null, failure);
        }

        if (jobs.Count == 0)
        {
            return (null, CommandFailure.Usage("the account has no endpoints."));
        }

        EndpointJob? job;
        if (name is null)
        {
            job = await EndpointPicker.PickAsync(console, jobs, cancellationToken).ConfigureAwait(false);
            if (job is null)
            {
                return (null, CommandFailure.Usage("no endpoint chosen."));
            }
        }
        else
        {
            job = jobs.FirstOrDefault(j => j.Name == name);
            if (job is null)
            {
                var names = string.Join(", ", jobs.Select(j => j.Name).Order(StringComparer.Ordinal));
                return (null, CommandFailure.Usage($"the account has no endpoint '{name}'; it has: {names}."));
            }
        }

        return (endpointKey is null ? new EndpointTarget(job.Name, job.ApiKey, KeyFromConsole: true) : new EndpointTarget(job.Name, endpointKey), null);
    }

    /// <summary>The account's endpoints, or why not.</summary>
    public async Task<(IReadOnlyList<EndpointJob>? Jobs, CommandFailure? Failure)> ListAsync(AccountKeySource accountKey, IProgressSink progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(accountKey);
        var result = await runtime.Console.ListAsync(accountKey.Value, progress, cancellationToken).ConfigureAwait(false);
        using var outcome = result.Outcome;
        if (Failures.From(result, runtime.Settings.TotalTimeout) is { } failure)
        {
            if (failure.ExitCode == ExitCodes.Auth && accountKey.Source == ClientEnvironmentVariables.AccountKey)
            {
                // Before vespa-client 0.1, VAST_API_KEY held the endpoint key: say what it means now.
                failure = failure with
                {
                    Message = failure.Message + $"; note: {ClientEnvironmentVariables.AccountKey} is the account key (as in the vast.ai CLI and SDK), an endpoint key goes in {ClientEnvironmentVariables.EndpointKey} or --endpoint-key",
                };
            }

            return (null, failure);
        }

        return ((IReadOnlyList<EndpointJob>)outcome!.Value!, null);
    }
}
