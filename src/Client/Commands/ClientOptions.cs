using System.CommandLine;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Vespa.Client.Configuration;

namespace Vespa.Client.Commands;

/// <summary>
/// The options the network commands share (keys, instance and URLs, timeouts, retries, connection limits, TLS), one
/// set per command. Each names its environment variable in its help; a flag wins over the variable, which wins over
/// the default. Values from the environment are checked like flags: a bad one is a usage error naming the variable.
/// </summary>
internal sealed class ClientOptions
{
    private readonly bool _routing;
    private readonly HashSet<Option> _added = [];

    /// <param name="routing">Whether the command routes requests (<c>call</c>, <c>proxy</c>): adds the endpoint key,
    /// the autoscaler URL, the attempt and idle timeouts, retries, connection limits and the vast.ai root certificate
    /// (workers only; the console's certificate is a public one).</param>
    public ClientOptions(bool routing)
    {
        _routing = routing;
        Instance.AcceptOnlyFromAmong([.. VastInstance.Names]);
        Timeout = new Option<string?>("--timeout")
        {
            Description = routing
                ? $"Total seconds for a request until its answer starts: routing, waiting for a worker, retries. [env: {ClientEnvironmentVariables.Timeout}] [default: {ClientDefaults.TotalTimeout.TotalSeconds}]"
                : $"Total seconds for the console's answer, retries included. [env: {ClientEnvironmentVariables.Timeout}] [default: {ClientDefaults.TotalTimeout.TotalSeconds}]",
            HelpName = "SECONDS",
        };
        if (!routing)
        {
            // The README's local setup adds --autoscaler-url to every command; the console commands accept it and
            // ignore it rather than fail on it.
            AutoscalerUrl.Hidden = true;
            AutoscalerUrl.Description = "Accepted and ignored: this command talks to the console only.";
        }
    }

    public Option<string?> Endpoint { get; } = new("--endpoint", "-e")
    {
        Description = $"Endpoint name. [env: {ClientEnvironmentVariables.Endpoint}] Without one, on a terminal, you pick from your endpoints.",
        HelpName = "NAME",
    };

    public Option<string?> EndpointKey { get; } = new("--endpoint-key")
    {
        Description = $"Endpoint key, sent to the autoscaler only (never to workers). [env: {ClientEnvironmentVariables.EndpointKey}] Default: looked up with the account key.",
        HelpName = "KEY",
    };

    /// <summary>The endpoint key under its old name: still accepted (with a warning), no longer shown. In the vast.ai
    /// CLI <c>--api-key</c> is the account key, so the name misleads.</summary>
    public Option<string?> DeprecatedApiKey { get; } = new("--api-key")
    {
        Description = "Deprecated: the endpoint key; use --endpoint-key.",
        HelpName = "KEY",
        Hidden = true,
    };

    public Option<string?> AccountKey { get; } = new("--account-key")
    {
        Description = $"Account key (the vast.ai CLI's API key), to list endpoints and look endpoint keys up. [env: {ClientEnvironmentVariables.AccountKey}, then {ClientEnvironmentVariables.AccountKeyAlternative}; then the files ~/{ClientEnvironment.AccountKeyFileName}, ~/.config/vastai/vast_api_key]",
        HelpName = "KEY",
    };

    public Option<string?> Instance { get; } = new("--instance")
    {
        Description = $"vast.ai instance: its autoscaler and console URLs. [env: {ClientEnvironmentVariables.Instance}] [default: {ClientDefaults.Instance}]",
    };

    public Option<string?> AutoscalerUrl { get; } = new("--autoscaler-url")
    {
        Description = $"Autoscaler base URL (overrides the instance's; e.g. a local 'vespa-client emulate'). [env: {ClientEnvironmentVariables.AutoscalerUrl}]",
        HelpName = "URL",
    };

    public Option<string?> ConsoleUrl { get; } = new("--console-url")
    {
        Description = $"Console base URL for endpoint listings (overrides the instance's). [env: {ClientEnvironmentVariables.ConsoleUrl}]",
        HelpName = "URL",
    };

    public Option<string?> Timeout { get; }

    public Option<string?> AttemptTimeout { get; } = new("--attempt-timeout")
    {
        Description = $"Seconds for one attempt: a route plus the worker call until its first byte (its last, when not streamed). [env: {ClientEnvironmentVariables.AttemptTimeout}] [default: {ClientDefaults.AttemptTimeout.TotalSeconds}]",
        HelpName = "SECONDS",
    };

    public Option<string?> IdleTimeout { get; } = new("--idle-timeout")
    {
        Description = $"A started stream fails after this many seconds without data. [default: {ClientDefaults.IdleTimeout.TotalSeconds}]",
        HelpName = "SECONDS",
    };

    public Option<string?> MaxRetries { get; } = new("--max-retries")
    {
        Description = $"Failed attempts retried (re-routed) after the first; waiting for a worker does not count. [env: {ClientEnvironmentVariables.MaxRetries}] [default: {ClientDefaults.MaxRetries}]",
        HelpName = "N",
    };

    public Option<string?> MaxConnections { get; } = new("--max-connections")
    {
        Description = $"Worker requests in flight at once. [env: {ClientEnvironmentVariables.MaxConnections}] [default: {ClientDefaults.MaxConnections}]",
        HelpName = "N",
    };

    public Option<string?> MaxConnectionsPerHost { get; } = new("--max-connections-per-host")
    {
        Description = $"Connections to one host. [env: {ClientEnvironmentVariables.MaxConnectionsPerHost}] [default: {ClientDefaults.MaxConnectionsPerHost}]",
        HelpName = "N",
    };

    public Option<FileInfo?> VastRootCert { get; } = new("--vast-root-cert")
    {
        Description = $"The vast.ai root certificate (PEM or DER) that https workers' certificates chain to, trusted besides the system store. [env: {ClientEnvironmentVariables.VastRootCert}] Default: downloaded from the console's /static/jvastai_root.cer on first use and cached in ~/.cache/vespa.",
        HelpName = "FILE",
    };

    public Option<bool> TlsDebug { get; } = new("--tls-debug")
    {
        Description = "Explain on stderr why a server certificate was rejected.",
    };

    public void AddTo(Command command, bool endpoint)
    {
        ArgumentNullException.ThrowIfNull(command);
        Option?[] options =
        [
            endpoint ? Endpoint : null,
            _routing ? EndpointKey : null,
            _routing ? DeprecatedApiKey : null,
            AccountKey,
            Instance,
            AutoscalerUrl,
            ConsoleUrl,
            Timeout,
            _routing ? AttemptTimeout : null,
            _routing ? IdleTimeout : null,
            _routing ? MaxRetries : null,
            _routing ? MaxConnections : null,
            _routing ? MaxConnectionsPerHost : null,
            _routing ? VastRootCert : null,
            TlsDebug,
        ];
        foreach (var option in options)
        {
            if (option is not null)
            {
                command.Options.Add(option);
                _added.Add(option);
            }
        }
    }

    /// <summary>The settings from the command line, the environment and the defaults; <paramref name="error"/>
    /// names the bad option or variable.</summary>
    public bool TryResolve(ParseResult parse, ClientEnvironment environment, [NotNullWhen(true)] out ClientSettings? settings, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(environment);
        settings = null;
        var instanceName = Value(parse, Instance, environment, ClientEnvironmentVariables.Instance, out var instanceSource) ?? ClientDefaults.Instance;
        if (!VastInstance.TryGet(instanceName, out var instance))
        {
            error = $"{instanceSource} '{instanceName}' is not an instance; use one of: {string.Join(", ", VastInstance.Names)}.";
            return false;
        }

        if (!TryUrl(parse, AutoscalerUrl, environment, ClientEnvironmentVariables.AutoscalerUrl, instance.AutoscalerUrl, out var autoscaler, out error)
            || !TryUrl(parse, ConsoleUrl, environment, ClientEnvironmentVariables.ConsoleUrl, instance.ConsoleUrl, out var console, out error)
            || !TrySeconds(parse, Timeout, environment, ClientEnvironmentVariables.Timeout, ClientDefaults.TotalTimeout, out var total, out error)
            || !TrySeconds(parse, AttemptTimeout, environment, ClientEnvironmentVariables.AttemptTimeout, ClientDefaults.AttemptTimeout, out var attempt, out error)
            || !TrySeconds(parse, IdleTimeout, environment, null, ClientDefaults.IdleTimeout, out var idle, out error)
            || !TryCount(parse, MaxRetries, environment, ClientEnvironmentVariables.MaxRetries, ClientDefaults.MaxRetries, 0, out var retries, out error)
            || !TryCount(parse, MaxConnections, environment, ClientEnvironmentVariables.MaxConnections, ClientDefaults.MaxConnections, 1, out var connections, out error)
            || !TryCount(parse, MaxConnectionsPerHost, environment, ClientEnvironmentVariables.MaxConnectionsPerHost, ClientDefaults.MaxConnectionsPerHost, 1, out var perHost, out error))
        {
            return false;
        }

        // Only commands that call workers use the vast.ai root; the console commands ignore the variable too.
        var rootFile = _routing ? parse.GetValue(VastRootCert)?.FullName ?? environment.Get(ClientEnvironmentVariables.VastRootCert) : null;
        if (rootFile is not null && !File.Exists(rootFile))
        {
            error = $"--vast-root-cert file '{rootFile}' does not exist (download https://console.vast.ai/static/jvastai_root.cer, or leave it out to have it downloaded).";
            return false;
        }

        settings = new ClientSettings
        {
            AutoscalerUrl = autoscaler,
            ConsoleUrl = console,
            Instance = instance.Name,
            TotalTimeout = total,
            // An attempt never outlives the whole request.
            AttemptTimeout = attempt < total ? attempt : total,
            IdleTimeout = idle,
            MaxRetries = retries,
            MaxConnections = connections,
            MaxConnectionsPerHost = perHost,
            VastRootCertificateFile = rootFile,
            FetchVastRoot = _routing && rootFile is null,
            VastRootCacheFile = environment.CacheDirectory is { } cache ? Path.Combine(cache, Http.VastRootStore.FileName) : null,
            TlsDebug = _added.Contains(TlsDebug) && parse.GetValue(TlsDebug),
        };
        return true;
    }

    /// <summary>The endpoint name: <c>--endpoint</c>, then <c>VAST_ENDPOINT</c>.</summary>
    public string? EndpointName(ParseResult parse, ClientEnvironment environment) =>
        Value(parse, Endpoint, environment, ClientEnvironmentVariables.Endpoint, out _);

    /// <summary>The endpoint key: <c>--endpoint-key</c> (or the deprecated <c>--api-key</c>), then
    /// <c>VAST_ENDPOINT_KEY</c>.</summary>
    public string? EndpointKeyValue(ParseResult parse, ClientEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (!_routing)
        {
            return null;
        }

        return NonBlank(parse.GetValue(EndpointKey)) ?? NonBlank(parse.GetValue(DeprecatedApiKey)) ?? environment.Get(ClientEnvironmentVariables.EndpointKey);
    }

    /// <summary>What the command line asks for that still works but should change; printed as warnings.</summary>
    public IEnumerable<string> Warnings(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        if (_added.Contains(DeprecatedApiKey) && NonBlank(parse.GetValue(DeprecatedApiKey)) is not null)
        {
            yield return "--api-key is deprecated: here it was the endpoint key, while in the vast.ai CLI it is the account key; use --endpoint-key (or --account-key for the account key).";
        }
    }

    /// <summary>The account key and where it came from: <c>--account-key</c>, then <c>VAST_API_KEY</c>, then
    /// <c>VAST_ACCOUNT_KEY</c>, then <c>~/.vast_api_key</c>, then the vast.ai CLI's <c>~/.config/vastai/vast_api_key</c>.</summary>
    /// <exception cref="IOException">A key file exists but cannot be read.</exception>
    public AccountKeySource? AccountKeyValue(ParseResult parse, ClientEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (_added.Contains(AccountKey) && NonBlank(parse.GetValue(AccountKey)) is { } flag)
        {
            return new AccountKeySource(flag, AccountKey.Name);
        }

        foreach (var variable in new[] { ClientEnvironmentVariables.AccountKey, ClientEnvironmentVariables.AccountKeyAlternative })
        {
            if (environment.Get(variable) is { } value)
            {
                return new AccountKeySource(value, variable);
            }
        }

        foreach (var file in new[] { environment.AccountKeyFile, environment.VastCliKeyFile })
        {
            if (file is not null && ReadKeyFile(file) is { } key)
            {
                return new AccountKeySource(key, file);
            }
        }

        return null;
    }

    private static string? ReadKeyFile(string file)
    {
        if (!File.Exists(file))
        {
            return null;
        }

        try
        {
            var text = File.ReadAllText(file).Trim();
            return text.Length == 0 ? null : text;
        }
        catch (UnauthorizedAccessException e)
        {
            throw new IOException($"cannot read {file}: {e.Message}", e);
        }
    }

    private static string? NonBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private string? Value(ParseResult parse, Option<string?> option, ClientEnvironment environment, string? variable, out string source)
    {
        var flag = _added.Contains(option) ? parse.GetValue(option) : null;
        if (!string.IsNullOrWhiteSpace(flag))
        {
            source = option.Name;
            return flag.Trim();
        }

        source = variable ?? option.Name;
        return variable is null ? null : environment.Get(variable);
    }

    private bool TryUrl(ParseResult parse, Option<string?> option, ClientEnvironment environment, string variable, Uri fallback, out Uri url, [NotNullWhen(false)] out string? error)
    {
        var text = Value(parse, option, environment, variable, out var source);
        url = fallback;
        error = null;
        if (text is null)
        {
            return true;
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var parsed) || (parsed.Scheme != Uri.UriSchemeHttp && parsed.Scheme != Uri.UriSchemeHttps) || !string.IsNullOrEmpty(parsed.Query))
        {
            error = $"{source} '{text}' is not an absolute http(s) URL without a query.";
            return false;
        }

        url = parsed;
        return true;
    }

    private bool TrySeconds(ParseResult parse, Option<string?> option, ClientEnvironment environment, string? variable, TimeSpan fallback, out TimeSpan value, [NotNullWhen(false)] out string? error)
    {
        var text = Value(parse, option, environment, variable, out var source);
        value = fallback;
        error = null;
        if (text is null)
        {
            return true;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) || !double.IsFinite(seconds) || seconds <= 0 || seconds > TimeSpan.FromDays(7).TotalSeconds)
        {
            error = $"{source} '{text}' is not a number of seconds above 0 (fractions allowed, at most a week).";
            return false;
        }

        value = TimeSpan.FromSeconds(seconds);
        return true;
    }

    private bool TryCount(ParseResult parse, Option<string?> option, ClientEnvironment environment, string variable, int fallback, int minimum, out int value, [NotNullWhen(false)] out string? error)
    {
        var text = Value(parse, option, environment, variable, out var source);
        value = fallback;
        error = null;
        if (text is null)
        {
            return true;
        }

        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) || value < minimum || value > 100_000)
        {
            error = $"{source} '{text}' is not a whole number from {minimum} to 100000.";
            return false;
        }

        return true;
    }
}
