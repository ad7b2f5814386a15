using System.Collections;

namespace Vespa.Client.Configuration;

/// <summary>
/// The process environment as the client sees it: variables and the home directory (for the account-key files and
/// the cache). The only place that reads <see cref="Environment"/>; tests pass their own.
/// </summary>
internal sealed class ClientEnvironment(IReadOnlyDictionary<string, string> variables, string? homeDirectory)
{
    /// <summary>The account-key file under the home directory (the claudius proxy's and the older vast.ai CLI's).</summary>
    public const string AccountKeyFileName = ".vast_api_key";

    /// <summary>No variables and no home directory.</summary>
    public static ClientEnvironment Empty { get; } = new(new Dictionary<string, string>(), homeDirectory: null);

    /// <summary><c>~/.vast_api_key</c>, or <c>null</c> without a home directory.</summary>
    public string? AccountKeyFile => string.IsNullOrEmpty(homeDirectory) ? null : Path.Combine(homeDirectory, AccountKeyFileName);

    /// <summary>Where the current vast.ai CLI keeps the account key (<c>vastai set api-key</c>):
    /// <c>$XDG_CONFIG_HOME/vastai/vast_api_key</c>, by default <c>~/.config/vastai/vast_api_key</c>.</summary>
    public string? VastCliKeyFile => BaseDirectory(ClientEnvironmentVariables.ConfigHome, ".config") is { } config ? Path.Combine(config, "vastai", "vast_api_key") : null;

    /// <summary>vespa-client's cache: <c>$XDG_CACHE_HOME/vespa</c>, by default <c>~/.cache/vespa</c>; <c>null</c>
    /// without either.</summary>
    public string? CacheDirectory => BaseDirectory(ClientEnvironmentVariables.CacheHome, ".cache") is { } cache ? Path.Combine(cache, "vespa") : null;

    /// <summary>A variable's value; <c>null</c> when unset or empty.</summary>
    public string? Get(string name) =>
        variables.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

    public static ClientEnvironment FromProcess()
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            if (entry.Key is string key && entry.Value is string value)
            {
                variables[key] = value;
            }
        }

        return new ClientEnvironment(variables, Environment.GetFolderPath(Environment.SpecialFolder.UserProfile));
    }

    /// <summary>An XDG base directory: the variable when it holds an absolute path (the specification says to ignore a
    /// relative one), else <c>~/<paramref name="fallback"/></c>.</summary>
    private string? BaseDirectory(string variable, string fallback)
    {
        if (Get(variable) is { } value && Path.IsPathRooted(value))
        {
            return value;
        }

        return string.IsNullOrEmpty(homeDirectory) ? null : Path.Combine(homeDirectory, fallback);
    }
}
