using System.CommandLine;
using System.CommandLine.Parsing;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using Vespa.Core.Signatures;
using Vespa.Emulator;

namespace Vespa.Client.Commands;

/// <summary><c>vespa-client emulate</c>: runs a local autoscaler (<see cref="AutoscalerEmulator"/>) until Ctrl+C.</summary>
internal static class EmulateCommand
{
    private static readonly Option<string> HostOption = new("--host")
    {
        Description = "IP address to listen on. A non-loopback address also needs --allow-remote.",
        DefaultValueFactory = _ => "127.0.0.1",
    };

    private static readonly Option<int> PortOption = new("--port", "-p")
    {
        Description = "TCP port to listen on (0 picks a free one).",
        DefaultValueFactory = _ => EmulatorOptions.DefaultPort,
    };

    private static readonly Option<string> SchemeOption = CreateSchemeOption();

    private static readonly Option<FileInfo> KeyFileOption = new Option<FileInfo>("--key-file")
    {
        Description = "PEM RSA private key to sign with (PKCS#8 or PKCS#1). Default: a fresh 2048-bit key.",
        HelpName = "PEM",
    }.AcceptExistingOnly();

    private static readonly Option<FileInfo> SaveKeyOption = new("--save-key")
    {
        Description = "Write the signing key (PKCS#8 PEM, owner-only permissions) to this file, to reuse it with --key-file.",
        HelpName = "FILE",
    };

    private static readonly Option<string[]> WorkerOption = new("--worker", "-w")
    {
        Description = "A worker base URL /route/ may pick (repeatable). Workers that report loadtime > 0 and a url also become eligible.",
        HelpName = "URL",
        Arity = ArgumentArity.ZeroOrMore,
        DefaultValueFactory = _ => [],
    };

    private static readonly Option<string[]> EndpointOption = new("--endpoint", "-e")
    {
        Description = "An endpoint to serve, NAME or NAME=KEY (repeatable; a missing KEY is NAME-endpoint-key). Default: local=local-endpoint-key.",
        HelpName = "NAME[=KEY]",
        Arity = ArgumentArity.ZeroOrMore,
        DefaultValueFactory = _ => [],
    };

    private static readonly Option<string> AccountKeyOption = new("--account-key")
    {
        Description = "The account key /api/v0/endptjobs/ accepts.",
        DefaultValueFactory = _ => EmulatorOptions.DefaultAccountKey,
    };

    private static readonly Option<bool> AllowRemoteOption = new("--allow-remote")
    {
        Description = "Allow a non-loopback --host. The emulator's keys are well known: use only on a trusted network.",
    };

    public static Command Create(CliConsole console)
    {
        var command = new Command("emulate", "Run a local vast.ai autoscaler for development and tests: /pubkey/, /route/ (signed like vast.ai), /worker_status/, /delete_requests/, /api/v0/endptjobs/; shows the reports workers send.")
        {
            HostOption,
            PortOption,
            SchemeOption,
            KeyFileOption,
            SaveKeyOption,
            WorkerOption,
            EndpointOption,
            AccountKeyOption,
            AllowRemoteOption,
        };

        // Cross-option checks run at parse time, so a bad command line is a usage error (exit 2) before anything starts.
        command.Validators.Add(result =>
        {
            bool valid;
            string? error;
            try
            {
                valid = TryCreateOptions(result, out _, out error);
            }
            catch (InvalidOperationException)
            {
                // An option's own value does not convert (e.g. --port abc, --scheme auto): the parser reports that
                // error itself, and command validators run before option conversion errors are recorded.
                return;
            }

            if (!valid)
            {
                result.AddError(error!);
            }
        });

        command.SetAction((parseResult, cancellationToken) =>
        {
            if (!TryCreateOptions(parseResult.CommandResult, out var options, out var error))
            {
                // Unreachable after validation; kept so the action never runs on bad options.
                console.Error.WriteLine(error);
                return Task.FromResult(ExitCodes.Usage);
            }

            var handler = new EmulateHandler(console);
            return handler.RunAsync(options, parseResult.GetValue(SaveKeyOption), cancellationToken);
        });
        return command;
    }

    /// <summary>Builds the emulator options from the command line; <paramref name="error"/> names the bad option.</summary>
    internal static bool TryCreateOptions(SymbolResult result, out EmulatorOptions options, [NotNullWhen(false)] out string? error)
    {
        options = new EmulatorOptions
        {
            Host = result.GetValue(HostOption) ?? "127.0.0.1",
            Port = result.GetValue(PortOption),
            AllowRemote = result.GetValue(AllowRemoteOption),
            Scheme = SignatureSchemeParser.Parse(result.GetValue(SchemeOption) ?? "url"),
            PrivateKeyPemFile = result.GetValue(KeyFileOption)?.FullName,
            AccountKey = result.GetValue(AccountKeyOption) ?? EmulatorOptions.DefaultAccountKey,
        };

        if (!AutoscalerEmulator.TryParseHost(options.Host, out var address))
        {
            error = $"--host '{options.Host}' is not an IP address (or localhost).";
            return false;
        }

        if (!IPAddress.IsLoopback(address) && !options.AllowRemote)
        {
            error = $"--host {options.Host} is not a loopback address; the emulator's keys are well known, so add --allow-remote to listen there anyway.";
            return false;
        }

        if (options.Port is < 0 or > 65535)
        {
            error = $"--port {options.Port} is outside 0-65535.";
            return false;
        }

        if (string.IsNullOrEmpty(options.AccountKey))
        {
            error = "--account-key must not be empty.";
            return false;
        }

        foreach (var worker in result.GetValue(WorkerOption) ?? [])
        {
            if (!Uri.TryCreate(worker, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
            {
                error = $"--worker '{worker}' is not an absolute http(s) URL.";
                return false;
            }

            options.Workers.Add(url);
        }

        foreach (var spec in result.GetValue(EndpointOption) ?? [])
        {
            var separator = spec.IndexOf('=', StringComparison.Ordinal);
            var name = separator < 0 ? spec : spec[..separator];
            var key = separator < 0 ? EmulatedEndpoint.DefaultKeyFor(name) : spec[(separator + 1)..];
            if (name.Length == 0 || key.Length == 0)
            {
                error = $"--endpoint '{spec}' needs a name and, after '=', a non-empty key.";
                return false;
            }

            if (options.Endpoints.Any(e => e.Name == name))
            {
                error = $"--endpoint '{name}' is given twice.";
                return false;
            }

            options.Endpoints.Add(new EmulatedEndpoint(name, key));
        }

        error = null;
        return true;
    }

    private static Option<string> CreateSchemeOption()
    {
        var option = new Option<string>("--scheme")
        {
            Description = "What /route/ signs: url (current vast.ai: the worker url only) or legacy (cost, endpoint, reqnum, request_idx, url).",
            DefaultValueFactory = _ => "url",
        };
        option.AcceptOnlyFromAmong("url", "legacy");
        return option;
    }
}
