namespace Vespa.Engine.Models;

/// <summary>
/// Where the engine's model comes from (<see cref="ModelSource"/>): the <c>VESPA_MODEL</c> setting,
/// the cache directory, the expected SHA-256 of a download, and the shape of the demo model used
/// when no model is given.
/// </summary>
public sealed record ModelSourceOptions
{
    public const string ModelVariable = "VESPA_MODEL";
    public const string CacheDirectoryVariable = "VESPA_MODEL_CACHE";
    public const string Sha256Variable = "VESPA_MODEL_SHA256";

    /// <summary>
    /// Empty or null: the generated demo model. A local path (or <c>file://</c> URI) to a GGUF file.
    /// An <c>http://</c> or <c>https://</c> URL, optionally ending in <c>#sha256=&lt;hex&gt;</c>, downloaded into the cache.
    /// </summary>
    /// <value>The default value is null (the demo model).</value>
    public string? Model { get; init; }

    /// <summary>
    /// Where downloaded and generated models are kept; null means <c>VESPA_MODEL_CACHE</c>, else
    /// <c>$XDG_CACHE_HOME/vespa/models</c>, else <c>~/.cache/vespa/models</c> (<see cref="ResolveCacheDirectory"/>).
    /// </summary>
    /// <value>The default value is null.</value>
    public string? CacheDirectory { get; init; }

    /// <summary>The SHA-256 a downloaded model must have (64 hex digits); null to accept the URL fragment's or none.</summary>
    /// <value>The default value is null.</value>
    public string? Sha256 { get; init; }

    /// <summary>The demo model generated when <see cref="Model"/> is empty.</summary>
    /// <value>The default value is <see cref="DemoModelOptions.Tiny"/>.</value>
    public DemoModelOptions Demo { get; init; } = DemoModelOptions.Tiny;

    /// <summary>
    /// Reads <c>VESPA_MODEL</c>, <c>VESPA_MODEL_CACHE</c> and <c>VESPA_MODEL_SHA256</c> (empty values
    /// count as unset). This and <see cref="ModelSource"/>'s cache-directory default are the only places
    /// the model layer reads the environment; <paramref name="getVariable"/> replaces it in tests.
    /// </summary>
    public static ModelSourceOptions FromEnvironment(Func<string, string?>? getVariable = null)
    {
        getVariable ??= Environment.GetEnvironmentVariable;
        return new ModelSourceOptions
        {
            Model = NullIfEmpty(getVariable(ModelVariable)),
            CacheDirectory = NullIfEmpty(getVariable(CacheDirectoryVariable)),
            Sha256 = NullIfEmpty(getVariable(Sha256Variable)),
        };
    }

    /// <summary>
    /// The cache directory: <paramref name="configured"/> if set, else <c>VESPA_MODEL_CACHE</c>, else
    /// <c>$XDG_CACHE_HOME/vespa/models</c> (an absolute XDG_CACHE_HOME only, as the XDG base directory
    /// specification requires), else <c>$HOME/.cache/vespa/models</c>; as a full path.
    /// </summary>
    public static string ResolveCacheDirectory(string? configured, Func<string, string?> getVariable)
    {
        ArgumentNullException.ThrowIfNull(getVariable);
        if (NullIfEmpty(configured) is { } explicitDirectory)
        {
            return Path.GetFullPath(ExpandHome(explicitDirectory, getVariable));
        }

        if (NullIfEmpty(getVariable(CacheDirectoryVariable)) is { } fromVariable)
        {
            return Path.GetFullPath(ExpandHome(fromVariable, getVariable));
        }

        if (NullIfEmpty(getVariable("XDG_CACHE_HOME")) is { } xdg && Path.IsPathFullyQualified(xdg))
        {
            return Path.GetFullPath(Path.Combine(xdg, "vespa", "models"));
        }

        return Path.GetFullPath(Path.Combine(Home(getVariable), ".cache", "vespa", "models"));
    }

    /// <summary>Replaces a leading <c>~/</c> (or a lone <c>~</c>) with the home directory, as a shell would.</summary>
    internal static string ExpandHome(string path, Func<string, string?> getVariable)
    {
        if (path == "~")
        {
            return Home(getVariable);
        }

        return path.StartsWith("~/", StringComparison.Ordinal) ? Path.Combine(Home(getVariable), path[2..]) : path;
    }

    private static string Home(Func<string, string?> getVariable) =>
        NullIfEmpty(getVariable("HOME"))
        ?? NullIfEmpty(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile))
        ?? Path.GetTempPath();

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
