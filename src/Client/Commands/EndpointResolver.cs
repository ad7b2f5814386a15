using System.CommandLine;
using Vespa.Client.Configuration;
using Vespa.Client.Resilience;
using Vespa.Client.Routing;

namespace Vespa.Client.Commands;

/// <summary>
/// Finds the endpoint and its key: the name from <c>--endpoint</c>/<c>VAST_ENDPOINT</c> or, on a terminal, a choice
/// from the account's list; the key from <c>--api-key</c>/<c>VAST_API_KEY</c> or looked up in that list with the
/// account key (<c>--account-key</c>, <c>VAST_ACCOUNT_KEY</c>, <c>~/.vast_api_key</c>).
/// </summary>
internal sealed class EndpointResolver(CliConsole console, ClientRuntime runtime, ClientOptions options, ParseResult parse, ClientEnvironment environment)
{
    public async Task<(EndpointTarget? Target, CommandFailure? Failure)> ResolveAsync(bool needKey, CancellationToken cancellationToken)
    {
        var name = options.EndpointName(parse, environment);
        var endpointKey = needKey ? options.EndpointKey(parse, environment) : null;
        if (name is not null && endpointKey is not null)
        {
            return (new EndpointTarget(name, endpointKey), null);
        }

        string? accountKey;
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
                : $"no endpoint key for '{name}': pass --api-key or set {ClientEnvironmentVariables.ApiKey}, or give an account key to look it up (--account-key, {ClientEnvironmentVariables.AccountKey}, ~/{ClientEnvironment.AccountKeyFileName})."));
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

        return (new EndpointTarget(job.Name, endpointKey ?? job.ApiKey), null);
    }

    /// <summary>The account's endpoints, or why not.</summary>
    public async Task<(IReadOnlyList<EndpointJob>? Jobs, CommandFailure? Failure)> ListAsync(string accountKey, IProgressSink progress, CancellationToken cancellationToken)
    {
        var result = await runtime.Console.ListAsync(accountKey, progress, cancellationToken).ConfigureAwait(false);
        using var outcome = result.Outcome;
        if (Failures.From(result, runtime.Settings.TotalTimeout) is { } failure)
        {
            return (null, failure);
        }

        return ((IReadOnlyList<EndpointJob>)outcome!.Value!, null);
    }
}
