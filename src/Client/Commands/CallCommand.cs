using System.CommandLine;
using System.Globalization;
using Vespa.Client.Configuration;
using Vespa.Client.Output;
using Vespa.Client.Requests;

namespace Vespa.Client.Commands;

/// <summary><c>vespa-client call METHOD PATH</c>: routes one request through the autoscaler, sends it to the worker,
/// prints the answer.</summary>
internal static class CallCommand
{
    private static readonly string[] ForbiddenHeaders = ["host", "content-type", "content-length", "transfer-encoding", "connection", VespaHeaders.AuthData.ToLowerInvariant()];

    public static Command Create(CliConsole console, ClientServices services)
    {
        var method = new Argument<string>("METHOD") { Description = "HTTP method: GET, POST, PUT, PATCH, DELETE, HEAD, ..." };
        var path = new Argument<string>("PATH") { Description = "Path on the worker, with a query string if any, e.g. /v1/chat/completions." };
        var data = new Option<string?>("--data", "-d")
        {
            Description = "Request body: JSON text, @FILE (any bytes), or - (standard input). Text and standard input must be valid JSON unless --content-type says otherwise (checked before anything is sent). A JSON body of POST/PUT/PATCH goes in the signed envelope; any other body is sent as it is with the auth data in a header.",
            HelpName = "JSON|@FILE|-",
        };
        var contentType = new Option<string?>("--content-type")
        {
            Description = "The body's content type (e.g. multipart/form-data; boundary=...). Default: application/json for JSON, application/octet-stream otherwise.",
            HelpName = "TYPE",
        };
        var headers = new Option<string[]>("--header", "-H")
        {
            Description = "Extra request header for the worker's backend, 'Name: value' (repeatable).",
            HelpName = "HEADER",
            Arity = ArgumentArity.ZeroOrMore,
            DefaultValueFactory = _ => [],
        };
        var cost = new Option<double?>("--cost")
        {
            Description = $"Workload the autoscaler routes by (e.g. tokens). [default: {ClientDefaults.CallCost.ToString(CultureInfo.InvariantCulture)}]",
            HelpName = "N",
            CustomParser = OptionParsers.Cost,
        };
        var stream = new Option<bool>("--stream") { Description = "Print the answer as it arrives: tokens of OpenAI SSE/NDJSON chunks, else data lines. A JSON object body without \"stream\" gets \"stream\": true (said on stderr)." };
        var raw = new Option<bool>("--raw") { Description = "Print the answer's bytes unchanged." };
        var json = new Option<bool>("--json") { Description = "Machine-readable output: a JSON summary with the body (with --stream: one JSON line per event, then the summary)." };
        var client = new ClientOptions(routing: true);

        var command = new Command("call", "Route one request to an endpoint and print the answer.")
        {
            method,
            path,
            data,
            contentType,
            headers,
            cost,
            stream,
            raw,
            json,
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
            var m = result.GetValue(method) ?? "";
            var p = result.GetValue(path) ?? "";
            if (m.StartsWith('-'))
            {
                // An option the parser did not know took METHOD's place; Program reports it as an unknown option, and
                // the arguments after it are shifted, so nothing more about them is worth saying.
                return;
            }

            if (m.Length == 0 || !m.All(c => char.IsAsciiLetter(c) || c == '-'))
            {
                result.AddError($"METHOD '{m}' is not an HTTP method.");
            }

            if (!p.StartsWith('/'))
            {
                result.AddError($"PATH '{p}' must start with '/'.");
            }

            if (result.GetValue(raw) && result.GetValue(json))
            {
                result.AddError("--raw and --json exclude each other.");
            }

            if (result.GetValue(data) is not null && (m.Equals("GET", StringComparison.OrdinalIgnoreCase) || m.Equals("HEAD", StringComparison.OrdinalIgnoreCase)))
            {
                result.AddError($"{m.ToUpperInvariant()} takes no --data; put parameters in PATH's query string.");
            }

            foreach (var header in result.GetValue(headers) ?? [])
            {
                if (!TryParseHeader(header, out _, out var error))
                {
                    result.AddError(error);
                }
            }
        }

        command.SetAction((parse, cancellationToken) =>
        {
            var mode = parse.GetValue(raw) ? OutputMode.Raw : parse.GetValue(json) ? OutputMode.Json : OutputMode.Text;
            var arguments = new CallArguments(
                Method: parse.GetValue(method)!.ToUpperInvariant(),
                PathAndQuery: parse.GetValue(path)!,
                Data: parse.GetValue(data),
                ContentType: parse.GetValue(contentType),
                Headers: [.. (parse.GetValue(headers) ?? []).Select(h => TryParseHeader(h, out var pair, out _) ? pair : default)],
                Cost: parse.GetValue(cost) ?? ClientDefaults.CallCost,
                Stream: parse.GetValue(stream),
                Mode: mode);
            return new CallHandler(console, services).RunAsync(arguments, parse, client, cancellationToken);
        });
        return command;
    }

    private static bool TryParseHeader(string text, out KeyValuePair<string, string> header, out string error)
    {
        header = default;
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var name = colon <= 0 ? "" : text[..colon].Trim();
        if (name.Length == 0 || name.Any(c => c <= ' ' || c >= 127 || "()<>@,;:\\\"/[]?={}".Contains(c, StringComparison.Ordinal)))
        {
            error = $"--header '{text}' is not 'Name: value'.";
            return false;
        }

        if (ForbiddenHeaders.Contains(name.ToLowerInvariant()))
        {
            error = $"--header {name} is set by the client itself (use --content-type for the body's type).";
            return false;
        }

        header = new KeyValuePair<string, string>(name, text[(colon + 1)..].Trim());
        error = "";
        return true;
    }
}
