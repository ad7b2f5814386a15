using System.CommandLine;
using System.Globalization;
using System.Net;
using Vespa.Client.Configuration;
using Vespa.Client.Proxy;
using Vespa.Client.Requests;
using Vespa.Client.Resilience;
using Vespa.Client.Routing;
using Vespa.Emulator;

namespace Vespa.Client.Commands;

/// <summary><c>vespa-client proxy</c>: a local HTTP proxy to an endpoint, for any SDK (base URL = the proxy).</summary>
internal static class ProxyCommand
{
    public static Command Create(CliConsole console, ClientServices services)
    {
        var host = new Option<string>("--host")
        {
            Description = "IP address to listen on. A non-loopback address also needs --allow-remote.",
            DefaultValueFactory = _ => ClientDefaults.ProxyHost,
        };
        var port = new Option<int>("--port", "-p")
        {
            Description = "TCP port to listen on (0 picks a free one).",
            DefaultValueFactory = _ => ClientDefaults.ProxyPort,
            CustomParser = OptionParsers.Port,
        };
        var cost = new Option<double?>("--cost")
        {
            Description = $"Workload of a request without an {VespaHeaders.Cost} header. [default: {ClientDefaults.ProxyCost.ToString("0.0", CultureInfo.InvariantCulture)}, which lets the worker apply its own default cost]",
            HelpName = "N",
            CustomParser = OptionParsers.Cost,
        };
        var allowRemote = new Option<bool>("--allow-remote")
        {
            Description = "Allow a non-loopback --host. Anyone who can reach the proxy spends your endpoint: use only on a trusted network.",
        };
        var client = new ClientOptions(routing: true);
        var command = new Command("proxy", $"Serve a local HTTP proxy to an endpoint: point any SDK's base URL at it. GET /health answers locally (?deep=1 routes and probes a worker); {VespaHeaders.Cost} sets a request's cost; answers stream through unbuffered.")
        {
            host,
            port,
            cost,
            allowRemote,
        };
        client.AddTo(command, endpoint: true);
        command.Validators.Add(result =>
        {
            try
            {
                Validate(result);
            }
            catch (InvalidOperationException)
            {
                // An option's own value does not convert (e.g. --cost abc): the parser reports that error itself, and
                // command validators run before conversion errors are recorded.
            }
        });

        void Validate(System.CommandLine.Parsing.CommandResult result)
        {
            // Defaults are not applied yet while command validators run.
            var h = result.GetValue(host) ?? ClientDefaults.ProxyHost;
            if (!AutoscalerEmulator.TryParseHost(h, out var address))
            {
                result.AddError($"--host '{h}' is not an IP address (or localhost).");
            }
            else if (!IPAddress.IsLoopback(address) && !result.GetValue(allowRemote))
            {
                result.AddError($"--host {h} is not a loopback address; the proxy spends your endpoint for whoever reaches it, so add --allow-remote to listen there anyway.");
            }

        }
        command.SetAction((parse, cancellationToken) =>
        {
            _ = AutoscalerEmulator.TryParseHost(parse.GetValue(host) ?? ClientDefaults.ProxyHost, out var address);
            return RunAsync(console, services, client, parse, address, parse.GetValue(port), parse.GetValue(cost) ?? ClientDefaults.ProxyCost, cancellationToken);
        });
        return command;
    }

    private static async Task<int> RunAsync(CliConsole console, ClientServices services, ClientOptions options, ParseResult parse, IPAddress address, int port, double cost, CancellationToken cancellationToken)
    {
        var (runtime, failure) = RuntimeFactory.Create(parse, options, services, console);
        if (runtime is null)
        {
            return await failure!.ReportAsync(console, "proxy", json: false).ConfigureAwait(false);
        }

        using (runtime)
        {
            try
            {
                var resolver = new EndpointResolver(console, runtime, options, parse, services.Environment);
                var (target, resolveFailure) = await resolver.ResolveAsync(needKey: true, cancellationToken).ConfigureAwait(false);
                if (target is null)
                {
                    return await resolveFailure!.ReportAsync(console, "proxy", json: false).ConfigureAwait(false);
                }

                if (await CheckKeyAsync(console, runtime, target, cancellationToken).ConfigureAwait(false) is { } refused)
                {
                    return await refused.ReportAsync(console, "proxy", json: false).ConfigureAwait(false);
                }

                LocalProxy proxy;
                try
                {
                    proxy = await LocalProxy.StartAsync(address, port, new EndpointCaller(runtime, target), runtime, cost, console, cancellationToken).ConfigureAwait(false);
                }
                catch (IOException e)
                {
                    return await new CommandFailure(ExitCodes.Failure, $"cannot listen on {address}:{port}: {e.Message}").ReportAsync(console, "proxy", json: false).ConfigureAwait(false);
                }

                await using (proxy.ConfigureAwait(false))
                {
                    var url = proxy.BaseUrl.OriginalString;
                    await console.Output.WriteLineAsync($"vespa-client proxy: endpoint {target.Name} via {runtime.Settings.AutoscalerUrl.OriginalString.TrimEnd('/')}, listening on {url}").ConfigureAwait(false);
                    await console.Output.WriteLineAsync($"  SDK base URL: {url} (OpenAI-compatible backends: {url}/v1); health: {url}/health; Ctrl+C stops.").ConfigureAwait(false);
                    await console.Output.FlushAsync(cancellationToken).ConfigureAwait(false);
                    services.ProxyStarted?.Invoke(proxy.BaseUrl);
                    try
                    {
                        await Task.Delay(Timeout.InfiniteTimeSpan, services.Time, cancellationToken).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                    {
                        // Ctrl+C or SIGTERM: the normal way to stop.
                    }
                }

                await console.Output.WriteLineAsync("proxy stopped").ConfigureAwait(false);
                await console.Output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
                return ExitCodes.Success;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return ExitCodes.Success;
            }
        }
    }

    /// <summary>
    /// A proxy with a wrong endpoint key would start and then fail every request, so a key the user gave is tried
    /// once before listening: one <c>/route/</c> with cost 0 (no workload). A refusal stops the proxy (401/403: exit
    /// 3; another 4xx, e.g. no such endpoint: exit 6); any other trouble (autoscaler down, no worker) is a warning,
    /// since it may pass. A key just looked up in the console is current and not tried.
    /// </summary>
    private static async Task<CommandFailure?> CheckKeyAsync(CliConsole console, ClientRuntime runtime, EndpointTarget target, CancellationToken cancellationToken)
    {
        if (target.KeyFromConsole)
        {
            return null;
        }

        var state = new CallState(NullProgressSink.Instance, cancellationToken);
        var (_, outcome) = await runtime.Autoscaler.RouteAsync(target, ClientDefaults.KeyCheckCost, state, cancellationToken).ConfigureAwait(false);
        using (outcome)
        {
            if (outcome is null or { Kind: OutcomeKind.Waiting })
            {
                return null;
            }

            var failure = Failures.From(CallResult.From(outcome, state), runtime.Settings.TotalTimeout);
            if (failure?.ExitCode == ExitCodes.Auth)
            {
                return failure with { Message = $"the endpoint key for '{target.Name}' was refused: {failure.Message}" };
            }

            if (failure is not null && outcome.Kind == OutcomeKind.RouteRefused)
            {
                // Another 4xx (e.g. no such endpoint): every request would get it too.
                return failure with { Message = $"the autoscaler refused endpoint '{target.Name}': {failure.Message}" };
            }

            await console.Error.WriteLineAsync($"vespa-client proxy: warning: could not check the endpoint key: {outcome.Message}; starting anyway.").ConfigureAwait(false);
            return null;
        }
    }
}
