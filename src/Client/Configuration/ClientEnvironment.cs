using System.Collections;

namespace Vespa.Client.Configuration;

/// <summary>
/// The process environment as the client sees it: variables and the home directory (for <c>~/.vast_api_key</c>).
/// The only place that reads <see cref="Environment"/>; tests pass their own.
/// </summary>
internal sealed class ClientEnvironment(IReadOnlyDictionary<string, string> variables, string? homeDirectory)
{
    /// <summary>The account-key file under the home directory (the claudius proxy's and the vast CLI's).</summary>
    public const string AccountKeyFileName = ".vast_api_key";

    /// <summary>No variables and no home directory.</summary>
    public static ClientEnvironment Empty { get; } = new(new Dictionary<string, string>(), homeDirectory: null);

    /// <summary><c>~/.vast_api_key</c>, or <c>null</c> without a home directory.</summary>
    public string? AccountKeyFile => string.IsNullOrEmpty(homeDirectory) ? null : Path.Combine(homeDirectory, AccountKeyFileName);

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
}
