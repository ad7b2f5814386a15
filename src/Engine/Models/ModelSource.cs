using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;

namespace Vespa.Engine.Models;

/// <summary>
/// Turns the <c>VESPA_MODEL</c> setting into the path of a local GGUF file:
/// <list type="bullet">
/// <item>empty: the demo model (<see cref="ModelSourceOptions.Demo"/>), generated into the cache
/// directory under a name derived from its options, and regenerated only when the file is missing
/// or does not match its <c>.sha256</c> marker;</item>
/// <item>a local path or <c>file://</c> URI: that file, which must exist, be readable and start with
/// the GGUF magic;</item>
/// <item>an <c>http://</c> or <c>https://</c> URL: downloaded with <see cref="ModelDownloader"/>.</item>
/// </list>
/// Every failure is a <see cref="ModelSourceException"/> whose message says what to fix.
/// </summary>
public sealed partial class ModelSource
{
    private readonly ModelSourceOptions _options;
    private readonly ModelDownloader _downloader;
    private readonly ILogger<ModelSource> _logger;
    private readonly TimeProvider _timeProvider;

    /// <remarks>
    /// When <see cref="ModelSourceOptions.CacheDirectory"/> is null the default comes from the
    /// process environment (<see cref="ModelSourceOptions.ResolveCacheDirectory"/>): the documented root.
    /// </remarks>
    public ModelSource(ModelSourceOptions options, ModelDownloader downloader, ILogger<ModelSource> logger, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(downloader);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(options.Demo);
        _options = options;
        _downloader = downloader;
        _logger = logger;
        _timeProvider = timeProvider;
        CacheDirectory = ModelSourceOptions.ResolveCacheDirectory(options.CacheDirectory, Environment.GetEnvironmentVariable);
    }

    /// <summary>
    /// Resolves the model of the engine's options (<see cref="EngineOptions.Model"/>,
    /// <see cref="EngineOptions.ModelSha256"/>, <see cref="EngineOptions.CacheDirectory"/>) with the
    /// tiny demo model as the default: the one-call form the worker uses.
    /// </summary>
    /// <param name="options">The engine's options.</param>
    /// <param name="httpClient">Used for downloads only; its <see cref="HttpClient.Timeout"/> should be infinite (the downloader has an idle timeout).</param>
    /// <param name="loggerFactory">Creates the loggers of the source and the downloader.</param>
    /// <param name="timeProvider">Back-off delays, progress intervals and timings.</param>
    /// <param name="cancellationToken">Stops a download or generation.</param>
    /// <exception cref="ModelSourceException">The model cannot be had.</exception>
    public static Task<string> ResolveAsync(EngineOptions options, HttpClient httpClient, ILoggerFactory loggerFactory, TimeProvider timeProvider, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        var sourceOptions = new ModelSourceOptions
        {
            Model = options.Model,
            Sha256 = options.ModelSha256,
            CacheDirectory = options.CacheDirectory,
        };
        var downloader = new ModelDownloader(httpClient, loggerFactory.CreateLogger<ModelDownloader>(), timeProvider);
        return new ModelSource(sourceOptions, downloader, loggerFactory.CreateLogger<ModelSource>(), timeProvider).ResolveAsync(cancellationToken);
    }

    /// <summary>The full path of the cache directory in use.</summary>
    public string CacheDirectory { get; }

    /// <summary>Where the demo model of these options lives (whether or not it exists yet).</summary>
    public string DemoModelPath => Path.Combine(CacheDirectory, DemoModel.GetFileName(_options.Demo));

    /// <summary>Resolves <see cref="ModelSourceOptions.Model"/> to a local GGUF file's full path, generating or downloading it if needed.</summary>
    /// <exception cref="ModelSourceException">The model cannot be had; <see cref="ModelDownloadException"/> for download failures.</exception>
    public async Task<string> ResolveAsync(CancellationToken cancellationToken = default)
    {
        var model = _options.Model?.Trim();
        if (string.IsNullOrEmpty(model))
        {
            return await EnsureDemoModelAsync(cancellationToken).ConfigureAwait(false);
        }

        if (SchemePattern().Match(model) is { Success: true } match)
        {
            var scheme = match.Groups[1].Value;
            if (scheme.Equals("http", StringComparison.OrdinalIgnoreCase) || scheme.Equals("https", StringComparison.OrdinalIgnoreCase))
            {
                if (!Uri.TryCreate(model, UriKind.Absolute, out var url))
                {
                    throw new ModelSourceException($"{ModelSourceOptions.ModelVariable} is not a valid URL: '{model}'.");
                }

                return await DownloadAsync(url, cancellationToken).ConfigureAwait(false);
            }

            if (scheme.Equals("file", StringComparison.OrdinalIgnoreCase) && Uri.TryCreate(model, UriKind.Absolute, out var fileUri))
            {
                return ResolveLocal(fileUri.LocalPath);
            }

            throw new ModelSourceException($"{ModelSourceOptions.ModelVariable} uses the unsupported scheme '{scheme}://'; give a local path or an http:// or https:// URL.");
        }

        return ResolveLocal(model);
    }

    private string ResolveLocal(string model)
    {
        var path = Path.GetFullPath(ModelSourceOptions.ExpandHome(model, Environment.GetEnvironmentVariable));
        if (Directory.Exists(path))
        {
            throw new ModelSourceException($"The model path {path} is a directory; {ModelSourceOptions.ModelVariable} must name a .gguf file.");
        }

        if (!File.Exists(path))
        {
            throw new ModelSourceException($"The model file {path} does not exist (from {ModelSourceOptions.ModelVariable}).");
        }

        bool isGguf;
        try
        {
            isGguf = Gguf.FileHasMagic(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ModelSourceException($"The model file {path} cannot be read: {ex.Message}", ex);
        }

        if (!isGguf)
        {
            throw new ModelSourceException($"The model file {path} is not a GGUF file: it does not start with the magic 'GGUF'.");
        }

        Log.LocalModel(_logger, path);
        return path;
    }

    private async Task<string> DownloadAsync(Uri url, CancellationToken cancellationToken)
    {
        try
        {
            return await _downloader.DownloadAsync(url, CacheDirectory, _options.Sha256, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ModelSourceException($"The model cannot be stored in the cache directory {CacheDirectory}: {ex.Message}", ex);
        }
    }

    private async Task<string> EnsureDemoModelAsync(CancellationToken cancellationToken)
    {
        var demo = _options.Demo;
        var path = DemoModelPath;
        var marker = ModelCacheMarker.TryRead(path);
        if (marker is not null && marker.Matches(path))
        {
            Log.DemoModelReused(_logger, path);
            return path;
        }

        var started = _timeProvider.GetTimestamp();
        try
        {
            // Generation is CPU and disk work (about a second for the 104M-parameter model): keep it off the caller's thread.
            await Task.Run(
                () =>
                {
                    DemoModel.Generate(path, demo, cancellationToken);
                    var length = new FileInfo(path).Length;
                    new ModelCacheMarker(ModelHash.ComputeFile(path, cancellationToken), length).Write(path);
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ModelSourceException($"The demo model cannot be written to {path}: {ex.Message}", ex);
        }

        var milliseconds = _timeProvider.GetElapsedTime(started).TotalMilliseconds;
        var parameters = DemoModel.CountParameters(demo);
        var bytes = new FileInfo(path).Length;
        Log.DemoModelGenerated(_logger, path, parameters, bytes, milliseconds);
        return path;
    }

    [GeneratedRegex("^([A-Za-z][A-Za-z0-9+.-]*)://")]
    private static partial Regex SchemePattern();

    private static partial class Log
    {
        [LoggerMessage(EventId = 720, EventName = "DemoModelGenerated", Level = LogLevel.Information,
            Message = "No model configured: generated the demo model {Path} ({Parameters} parameters, {Bytes} bytes, random weights) in {Milliseconds:0} ms")]
        public static partial void DemoModelGenerated(ILogger logger, string path, long parameters, long bytes, double milliseconds);

        [LoggerMessage(EventId = 721, EventName = "DemoModelReused", Level = LogLevel.Information,
            Message = "No model configured: using the demo model {Path} (random weights)")]
        public static partial void DemoModelReused(ILogger logger, string path);

        [LoggerMessage(EventId = 722, EventName = "LocalModel", Level = LogLevel.Information,
            Message = "Using the local model {Path}")]
        public static partial void LocalModel(ILogger logger, string path);
    }
}
