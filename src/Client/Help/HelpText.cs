using System.CommandLine;
using System.CommandLine.Help;

namespace Vespa.Client.Help;

/// <summary>
/// What <c>--help</c> adds after the parser's usage, arguments and options: examples for the command and the
/// exit-code table (the same as README.md, "vespa-client").
/// </summary>
internal static class HelpText
{
    private static readonly Dictionary<string, string[]> Examples = new(StringComparer.Ordinal)
    {
        ["vespa-client"] =
        [
            "vespa-client endpoints                                  # your endpoints (account key: VAST_API_KEY)",
            "vespa-client call GET /v1/models -e my-endpoint         # one request",
            "vespa-client help call                                  # a command's options and examples",
        ],
        ["call"] =
        [
            """vespa-client call POST /v1/chat/completions -e my-endpoint --stream --data '{"model": "m", "messages": [{"role": "user", "content": "hi"}]}'""",
            "vespa-client call GET /v1/models -e my-endpoint --json",
            "vespa-client call POST /v1/audio/transcriptions -e my-endpoint --data @audio.wav --content-type audio/wav",
        ],
        ["proxy"] =
        [
            "vespa-client proxy -e my-endpoint                       # OpenAI SDKs: base URL http://127.0.0.1:8010/v1",
            "vespa-client proxy -e my-endpoint --port 9000 --cost 256",
            "curl -s 'http://127.0.0.1:8010/health?deep=1'           # routes and probes a worker: can a request be served now?",
        ],
        ["endpoints"] =
        [
            "vespa-client endpoints                                  # account key from VAST_API_KEY or ~/.vast_api_key",
            "vespa-client endpoints --json | jq -r '.[].name'",
        ],
        ["key"] =
        [
            "export VAST_ENDPOINT_KEY=$(vespa-client key -e my-endpoint)",
            "vespa-client key -e my-endpoint --json",
        ],
        ["emulate"] =
        [
            "vespa-client emulate --worker http://127.0.0.1:3000      # a local autoscaler on 127.0.0.1:8081",
            "vespa-client emulate --port 9081 --scheme legacy",
        ],
        ["help"] =
        [
            "vespa-client help call",
            "vespa-client help",
        ],
    };

    private static readonly (int Code, string Meaning)[] NetworkExitCodes =
    [
        (ExitCodes.Success, "success (the proxy: stopped by Ctrl+C or SIGTERM)"),
        (ExitCodes.Failure, "other runtime failure (e.g. the proxy's port is taken)"),
        (ExitCodes.Usage, "usage: bad option or value, bad --data JSON, no endpoint, an endpoint the account lacks"),
        (ExitCodes.Auth, "auth: no key found, or the autoscaler or console refused the key"),
        (ExitCodes.Unavailable, "no capacity or out of time: no worker ready, timeouts, 429/503 after the retries"),
        (ExitCodes.Transport, "transport: autoscaler, console or worker unreachable (refused, DNS, TLS), or a stream broke"),
        (ExitCodes.HttpError, "HTTP error: the worker, autoscaler or console answered another error"),
        (ExitCodes.Cancelled, "cancelled by Ctrl+C while a request was under way"),
    ];

    private static readonly (int Code, string Meaning)[] LocalExitCodes =
    [
        (ExitCodes.Success, "success (stopped by Ctrl+C or SIGTERM)"),
        (ExitCodes.Failure, "runtime failure (e.g. the port is taken)"),
        (ExitCodes.Usage, "usage: bad option or value"),
    ];

    /// <summary>Adds the examples and exit codes to the help of every command under <paramref name="root"/> (the
    /// help option is recursive: one action serves them all).</summary>
    public static void Install(RootCommand root)
    {
        ArgumentNullException.ThrowIfNull(root);
        foreach (var help in root.Options.OfType<HelpOption>())
        {
            if (help.Action is HelpAction action)
            {
                help.Action = new ExtendedHelpAction(action);
            }
        }
    }

    /// <summary>The examples and exit codes of <paramref name="command"/>, as printed after its usage.</summary>
    internal static void Write(Command command, TextWriter output)
    {
        var name = command is RootCommand ? "vespa-client" : command.Name;
        if (Examples.TryGetValue(name, out var examples))
        {
            output.WriteLine("Examples:");
            foreach (var example in examples)
            {
                output.WriteLine("  " + example);
            }

            output.WriteLine();
        }

        var codes = name switch
        {
            "emulate" => LocalExitCodes,
            "help" or "vespa-client" => null,
            _ => NetworkExitCodes,
        };
        if (codes is not null)
        {
            output.WriteLine("Exit codes:");
            foreach (var (code, meaning) in codes)
            {
                output.WriteLine($"  {code,-4} {meaning}");
            }

            output.WriteLine();
        }
    }

    /// <summary>The parser's help, then <see cref="Write"/>.</summary>
    private sealed class ExtendedHelpAction(HelpAction inner) : System.CommandLine.Invocation.SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            ArgumentNullException.ThrowIfNull(parseResult);
            var exit = inner.Invoke(parseResult);
            Write(parseResult.CommandResult.Command, parseResult.InvocationConfiguration.Output);
            return exit;
        }
    }
}
