using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using Vespa.Engine.Models;
using Vespa.Engine.Tests.Models.Support;
using Vespa.Testing;

namespace Vespa.Engine.Tests.Models;

public sealed class ModelSourceTests : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly HttpClient _http = new() { Timeout = Timeout.InfiniteTimeSpan };
    private readonly ListLogger<ModelSource> _logger = new();

    public void Dispose()
    {
        _http.Dispose();
        _directory.Dispose();
    }

    private string CacheDirectory => _directory.Combine("cache");

    private ModelSource NewSource(string? model, string? sha256 = null) => new(
        new ModelSourceOptions { Model = model, CacheDirectory = CacheDirectory, Sha256 = sha256 },
        new ModelDownloader(_http, NullLogger<ModelDownloader>.Instance, TimeProvider.System),
        _logger,
        TimeProvider.System);

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public async Task Resolve_NoModel_GeneratesTheDemoModelIntoTheCache(string? model)
    {
        var source = NewSource(model);

        var path = await source.ResolveAsync().DefaultTimeout();

        Assert.Equal(Path.Combine(CacheDirectory, DemoModel.GetFileName(DemoModelOptions.Tiny)), path);
        Assert.Equal(source.DemoModelPath, path);
        Assert.Equal(TestModels.Tiny, await File.ReadAllBytesAsync(path));
        Assert.Equal($"sha256={Convert.ToHexStringLower(SHA256.HashData(TestModels.Tiny))} size={TestModels.Tiny.Length}\n", await File.ReadAllTextAsync(path + ".sha256"));
        Assert.Single(_logger.Named("DemoModelGenerated"));
    }

    [Fact]
    public async Task Resolve_DemoModelAlreadyThere_IsReused()
    {
        var path = await NewSource(null).ResolveAsync().DefaultTimeout();
        var written = File.GetLastWriteTimeUtc(path);
        File.SetLastWriteTimeUtc(path, written.AddMinutes(-5));

        var again = await NewSource(null).ResolveAsync().DefaultTimeout();

        Assert.Equal(path, again);
        Assert.Equal(written.AddMinutes(-5), File.GetLastWriteTimeUtc(path));
        Assert.Single(_logger.Named("DemoModelGenerated"));
        Assert.Single(_logger.Named("DemoModelReused"));
    }

    [Fact]
    public async Task Resolve_DemoModelTruncatedOrMarkerMissing_IsRegenerated()
    {
        var path = await NewSource(null).ResolveAsync().DefaultTimeout();
        await using (var stream = new FileStream(path, FileMode.Open))
        {
            stream.SetLength(1000);
        }

        await NewSource(null).ResolveAsync().DefaultTimeout();
        Assert.Equal(TestModels.Tiny, await File.ReadAllBytesAsync(path));

        File.Delete(path + ".sha256");
        await NewSource(null).ResolveAsync().DefaultTimeout();

        Assert.True(File.Exists(path + ".sha256"));
        Assert.Equal(3, _logger.Named("DemoModelGenerated").Count());
    }

    [Fact]
    public async Task Resolve_DemoOptions_ChooseTheFile()
    {
        var options = new ModelSourceOptions { CacheDirectory = CacheDirectory, Demo = DemoModelOptions.Tiny with { F16 = true, Seed = 5 } };
        var source = new ModelSource(options, new ModelDownloader(_http, NullLogger<ModelDownloader>.Instance, TimeProvider.System), _logger, TimeProvider.System);

        var path = await source.ResolveAsync().DefaultTimeout();

        Assert.EndsWith(DemoModel.GetFileName(options.Demo), path, StringComparison.Ordinal);
        Assert.Contains("-f16-", path, StringComparison.Ordinal);
        Assert.Equal(1u, GgufReader.Read(path).Entry("general.file_type").Value);
    }

    [Fact]
    public async Task Resolve_LocalGgufFile_ReturnsItsFullPath()
    {
        var model = _directory.Combine("models", "local.gguf");
        DemoModel.Generate(model, DemoModelOptions.Tiny);

        var path = await NewSource(model).ResolveAsync().DefaultTimeout();
        var viaUri = await NewSource(new Uri(model).AbsoluteUri).ResolveAsync().DefaultTimeout();

        Assert.Equal(model, path);
        Assert.Equal(model, viaUri);
        Assert.False(Directory.Exists(CacheDirectory));
        Assert.Equal(2, _logger.Named("LocalModel").Count());
    }

    [Fact]
    public async Task Resolve_MissingFile_SaysItDoesNotExist()
    {
        var missing = _directory.Combine("nope.gguf");

        var error = await Assert.ThrowsAsync<ModelSourceException>(() => NewSource(missing).ResolveAsync()).DefaultTimeout();

        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("GGU")]
    [InlineData("{\"not\": \"a model\"}")]
    public async Task Resolve_NotAGgufFile_SaysSo(string content)
    {
        var file = _directory.Combine("fake.gguf");
        await File.WriteAllTextAsync(file, content);

        var error = await Assert.ThrowsAsync<ModelSourceException>(() => NewSource(file).ResolveAsync()).DefaultTimeout();

        Assert.Contains("not a GGUF file", error.Message, StringComparison.Ordinal);
        Assert.Contains(file, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resolve_Directory_SaysItIsADirectory()
    {
        var error = await Assert.ThrowsAsync<ModelSourceException>(() => NewSource(_directory.Path).ResolveAsync()).DefaultTimeout();

        Assert.Contains("is a directory", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resolve_UnreadableFile_SaysItCannotBeRead()
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName == "root")
        {
            return; // root reads anything; the permission check cannot be provoked
        }

        var file = _directory.Combine("locked.gguf");
        DemoModel.Generate(file, DemoModelOptions.Tiny);
        File.SetUnixFileMode(file, UnixFileMode.None);

        var error = await Assert.ThrowsAsync<ModelSourceException>(() => NewSource(file).ResolveAsync()).DefaultTimeout();

        Assert.Contains("cannot be read", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ftp://127.0.0.1/model.gguf", "ftp")]
    [InlineData("hf://org/model", "hf")]
    public async Task Resolve_UnsupportedScheme_IsRejected(string model, string scheme)
    {
        var error = await Assert.ThrowsAsync<ModelSourceException>(() => NewSource(model).ResolveAsync()).DefaultTimeout();

        Assert.Contains($"'{scheme}://'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resolve_HttpUrl_DownloadsIntoTheCache()
    {
        await using var server = await ModelFileServer.StartAsync(TestModels.Tiny).DefaultTimeout();
        var url = server.Url("/models/tiny.gguf");
        var sha = Convert.ToHexStringLower(SHA256.HashData(TestModels.Tiny));

        var path = await NewSource(url.AbsoluteUri, sha).ResolveAsync().DefaultTimeout();
        var again = await NewSource(url.AbsoluteUri, sha).ResolveAsync().DefaultTimeout();

        Assert.Equal(Path.Combine(CacheDirectory, ModelDownloader.GetCacheFileName(url)), path);
        Assert.Equal(path, again);
        Assert.Equal(TestModels.Tiny, await File.ReadAllBytesAsync(path));
        Assert.Equal(1, server.RequestCount);
    }

    [Fact]
    public async Task Resolve_HttpUrlWithWrongSha_FailsWithADownloadError()
    {
        await using var server = await ModelFileServer.StartAsync(TestModels.Tiny).DefaultTimeout();

        var error = await Assert.ThrowsAsync<ModelDownloadException>(() => NewSource(server.Url().AbsoluteUri, new string('b', 64)).ResolveAsync()).DefaultTimeout();

        Assert.Equal(new string('b', 64), error.ExpectedSha256);
    }

    [Fact]
    public async Task ResolveAsync_EngineOptions_UsesTheirModelAndCacheDirectory()
    {
        var options = new EngineOptions { CacheDirectory = CacheDirectory };

        var path = await ModelSource.ResolveAsync(options, _http, NullLoggerFactory.Instance, TimeProvider.System).DefaultTimeout();

        Assert.Equal(Path.Combine(CacheDirectory, DemoModel.GetFileName(DemoModelOptions.Tiny)), path);
        Assert.True(Gguf.FileHasMagic(path));
    }

    [Fact]
    public void ResolveCacheDirectory_FollowsOptionThenVariableThenXdgThenHome()
    {
        var variables = new Dictionary<string, string?>
        {
            ["VESPA_MODEL_CACHE"] = "/srv/vespa-cache",
            ["XDG_CACHE_HOME"] = "/xdg/cache",
            ["HOME"] = "/home/worker",
        };
        string? Get(string name) => variables.GetValueOrDefault(name);

        Assert.Equal("/opt/models", ModelSourceOptions.ResolveCacheDirectory("/opt/models", Get));
        Assert.Equal("/home/worker/models", ModelSourceOptions.ResolveCacheDirectory("~/models", Get));
        Assert.Equal("/srv/vespa-cache", ModelSourceOptions.ResolveCacheDirectory(null, Get));
        variables["VESPA_MODEL_CACHE"] = "";
        Assert.Equal("/xdg/cache/vespa/models", ModelSourceOptions.ResolveCacheDirectory(" ", Get));
        variables["XDG_CACHE_HOME"] = "relative/ignored";
        Assert.Equal("/home/worker/.cache/vespa/models", ModelSourceOptions.ResolveCacheDirectory(null, Get));
        variables.Remove("XDG_CACHE_HOME");
        Assert.Equal("/home/worker/.cache/vespa/models", ModelSourceOptions.ResolveCacheDirectory(null, Get));
    }

    [Fact]
    public void FromEnvironment_ReadsTheThreeVariables()
    {
        var variables = new Dictionary<string, string?>
        {
            ["VESPA_MODEL"] = "https://example.invalid/m.gguf",
            ["VESPA_MODEL_CACHE"] = "/cache",
            ["VESPA_MODEL_SHA256"] = " ",
        };

        var options = ModelSourceOptions.FromEnvironment(variables.GetValueOrDefault);

        Assert.Equal("https://example.invalid/m.gguf", options.Model);
        Assert.Equal("/cache", options.CacheDirectory);
        Assert.Null(options.Sha256);
        Assert.Equal(DemoModelOptions.Tiny, options.Demo);
    }
}
