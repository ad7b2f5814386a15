using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Vespa.Engine.Models;
using Vespa.Engine.Tests.Models.Support;
using Vespa.Testing;

namespace Vespa.Engine.Tests.Models;

public sealed class ModelDownloaderTests : IAsyncLifetime, IDisposable
{
    private static readonly ModelDownloaderOptions FastRetries = new()
    {
        MaxAttempts = 3,
        InitialRetryDelay = TimeSpan.FromMilliseconds(10),
        MaxRetryDelay = TimeSpan.FromMilliseconds(40),
        ReadTimeout = TimeSpan.FromSeconds(10),
    };

    private readonly TempDirectory _cache = new();
    private readonly HttpClient _http = new() { Timeout = Timeout.InfiniteTimeSpan };
    private readonly ListLogger<ModelDownloader> _logger = new();
    private readonly byte[] _model = TestModels.Tiny;
    private ModelFileServer _server = null!;

    public async Task InitializeAsync() => _server = await ModelFileServer.StartAsync(_model).DefaultTimeout();

    public async Task DisposeAsync() => await _server.DisposeAsync().DefaultTimeout();

    public void Dispose()
    {
        _http.Dispose();
        _cache.Dispose();
    }

    private string ModelSha256 => Convert.ToHexStringLower(SHA256.HashData(_model));

    private ModelDownloader NewDownloader(ModelDownloaderOptions? options = null) => new(_http, _logger, TimeProvider.System, options ?? FastRetries);

    [Fact]
    public async Task Download_Fresh_WritesTheFileMarkerAndLogsProgress()
    {
        var url = _server.Url();
        _server.ChunkDelay = TimeSpan.FromMilliseconds(2);

        var path = await NewDownloader().DownloadAsync(url, _cache.Path, ModelSha256).DefaultTimeout();

        Assert.Equal(Path.Combine(_cache.Path, ModelDownloader.GetCacheFileName(url)), path);
        Assert.Equal(_model, await File.ReadAllBytesAsync(path));
        Assert.Equal($"sha256={ModelSha256} size={_model.Length}\n", await File.ReadAllTextAsync(path + ".sha256"));
        Assert.False(File.Exists(path + ModelDownloader.PartialSuffix));
        Assert.Equal(1, _server.RequestCount);
        Assert.Null(_server.Requests.Single().Range);

        // Every 10 % (a read may jump several steps at once), ending at 100 %, with bytes/total and rate.
        var progress = _logger.Named("ModelDownloadProgress").Select(e => e.Message).ToList();
        Assert.InRange(progress.Count, 3, 11);
        var percents = progress.Select(m => int.Parse(m.Split(": ")[1].Split('%')[0], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(percents.Order().Distinct(), percents);
        Assert.All(percents.SkipLast(1), p => Assert.InRange(p, 10, 99));
        Assert.Contains($": 100% ({_model.Length}/{_model.Length} bytes) at ", progress[^1], StringComparison.Ordinal);
        Assert.All(progress, m => Assert.Matches(@"\(\d+/\d+ bytes\) at \d+\.\d MB/s$", m));
        Assert.Single(_logger.Named("ModelDownloadCompleted"));
    }

    [Fact]
    public async Task Download_ConnectionCutMidBody_ResumesWithRange()
    {
        const int CutAfter = 300_000;
        _server.Behaviour = async (context, number) =>
        {
            if (number != 1)
            {
                return false;
            }

            context.Response.ContentLength = _model.Length;
            await ModelFileServer.WriteChunkedAsync(context, _model.AsMemory(0, CutAfter), 50_000);
            await Task.Delay(50);
            context.Abort();
            return true;
        };

        var path = await NewDownloader().DownloadAsync(_server.Url(), _cache.Path, ModelSha256).DefaultTimeout();

        Assert.Equal(_model, await File.ReadAllBytesAsync(path));
        Assert.Equal(2, _server.RequestCount);
        var resumedFrom = long.Parse(_server.Requests.Last().Range!["bytes=".Length..^1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(resumedFrom, 1, CutAfter);
        Assert.Single(_logger.Named("ModelDownloadRetrying"));
        Assert.Single(_logger.Named("ModelDownloadResuming"));
    }

    [Fact]
    public async Task Download_ServerStalls_IdleTimeoutRetriesAndResumes()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _server.Behaviour = async (context, number) =>
        {
            if (number != 1)
            {
                return false;
            }

            context.Response.ContentLength = _model.Length;
            await ModelFileServer.WriteChunkedAsync(context, _model.AsMemory(0, 100_000), 100_000);
            await release.Task.WaitAsync(context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
            return true;
        };

        var path = await NewDownloader(FastRetries with { ReadTimeout = TimeSpan.FromMilliseconds(300) }).DownloadAsync(_server.Url(), _cache.Path).DefaultTimeout();
        release.TrySetResult();

        Assert.Equal(_model, await File.ReadAllBytesAsync(path));
        Assert.Equal(2, _server.RequestCount);
        Assert.StartsWith("bytes=", _server.Requests.Last().Range, StringComparison.Ordinal);
        Assert.Contains(_logger.Named("ModelDownloadRetrying"), e => e.Message.Contains("no data from the server", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Download_ServerIgnoresRange_RestartsFromZero()
    {
        _server.SupportsRange = false;
        var url = _server.Url();
        var partial = Path.Combine(_cache.Path, ModelDownloader.GetCacheFileName(url)) + ModelDownloader.PartialSuffix;
        await File.WriteAllBytesAsync(partial, Enumerable.Repeat((byte)0xEE, 1000).ToArray());

        var path = await NewDownloader().DownloadAsync(url, _cache.Path, ModelSha256).DefaultTimeout();

        Assert.Equal(_model, await File.ReadAllBytesAsync(path));
        Assert.Equal("bytes=1000-", _server.Requests.Single().Range);
        Assert.Single(_logger.Named("ModelDownloadRangeIgnored"));
    }

    [Fact]
    public async Task Download_PartialAlreadyComplete_416FinishesWithoutData()
    {
        var url = _server.Url();
        var partial = Path.Combine(_cache.Path, ModelDownloader.GetCacheFileName(url)) + ModelDownloader.PartialSuffix;
        await File.WriteAllBytesAsync(partial, _model);

        var path = await NewDownloader().DownloadAsync(url, _cache.Path, ModelSha256).DefaultTimeout();

        Assert.Equal(_model, await File.ReadAllBytesAsync(path));
        Assert.Equal($"bytes={_model.Length}-", _server.Requests.Single().Range);
        Assert.Single(_logger.Named("ModelDownloadPartialComplete"));
        Assert.False(File.Exists(partial));
    }

    [Fact]
    public async Task Download_PartialLongerThanTheFile_416RestartsFromZero()
    {
        var url = _server.Url();
        var partial = Path.Combine(_cache.Path, ModelDownloader.GetCacheFileName(url)) + ModelDownloader.PartialSuffix;
        await File.WriteAllBytesAsync(partial, new byte[_model.Length + 10]);

        var path = await NewDownloader().DownloadAsync(url, _cache.Path, ModelSha256).DefaultTimeout();

        Assert.Equal(_model, await File.ReadAllBytesAsync(path));
        Assert.Equal([$"bytes={_model.Length + 10}-", null], _server.Requests.Select(r => r.Range));
    }

    [Fact]
    public async Task Download_CorruptedContent_IsRejectedAndThePartialDeleted()
    {
        var corrupted = (byte[])_model.Clone();
        corrupted[^100] ^= 0xFF;
        _server.Content = corrupted;
        var url = _server.Url();

        var error = await Assert.ThrowsAsync<ModelDownloadException>(() => NewDownloader().DownloadAsync(url, _cache.Path, ModelSha256)).DefaultTimeout();

        var actual = Convert.ToHexStringLower(SHA256.HashData(corrupted));
        Assert.Equal(ModelSha256, error.ExpectedSha256);
        Assert.Equal(actual, error.ActualSha256);
        Assert.Contains(ModelSha256, error.Message, StringComparison.Ordinal);
        Assert.Contains(actual, error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_cache.Path));
    }

    [Fact]
    public async Task Download_Sha256FromTheUrlFragment_IsCheckedAndNotSent()
    {
        var wrong = new string('0', 64);

        var error = await Assert.ThrowsAsync<ModelDownloadException>(() => NewDownloader().DownloadAsync(_server.Url("/m/tiny.gguf#sha256=" + wrong), _cache.Path)).DefaultTimeout();
        var path = await NewDownloader().DownloadAsync(_server.Url("/m/tiny.gguf#sha256=" + ModelSha256.ToUpperInvariant()), _cache.Path).DefaultTimeout();

        Assert.Equal(wrong, error.ExpectedSha256);
        Assert.Equal(_model, await File.ReadAllBytesAsync(path));
        Assert.All(_server.Requests, r => Assert.Equal("/m/tiny.gguf", r.PathAndQuery));
    }

    [Fact]
    public async Task Download_ConflictingOrInvalidHashes_FailBeforeAnyRequest()
    {
        var other = new string('a', 64);

        await Assert.ThrowsAsync<ModelSourceException>(() => NewDownloader().DownloadAsync(_server.Url("/m.gguf#sha256=" + other), _cache.Path, ModelSha256)).DefaultTimeout();
        await Assert.ThrowsAsync<ModelSourceException>(() => NewDownloader().DownloadAsync(_server.Url(), _cache.Path, "not-a-hash")).DefaultTimeout();
        await Assert.ThrowsAsync<ModelSourceException>(() => NewDownloader().DownloadAsync(new Uri("ftp://127.0.0.1/m.gguf"), _cache.Path)).DefaultTimeout();

        Assert.Equal(0, _server.RequestCount);
    }

    [Fact]
    public async Task Download_AlreadyCached_IsReusedWithoutARequest()
    {
        var url = _server.Url();
        var first = await NewDownloader().DownloadAsync(url, _cache.Path, ModelSha256).DefaultTimeout();

        var again = await NewDownloader().DownloadAsync(url, _cache.Path, ModelSha256).DefaultTimeout();
        var withoutHash = await NewDownloader().DownloadAsync(url, _cache.Path).DefaultTimeout();
        File.Delete(first + ".sha256");
        var withoutMarker = await NewDownloader().DownloadAsync(url, _cache.Path, ModelSha256).DefaultTimeout();

        Assert.Equal(first, again);
        Assert.Equal(first, withoutHash);
        Assert.Equal(first, withoutMarker);
        Assert.Equal(1, _server.RequestCount);
        Assert.True(File.Exists(first + ".sha256"));
        Assert.Equal(3, _logger.Named("ModelDownloadCacheHit").Count());
    }

    [Fact]
    public async Task Download_CachedFileWithAnotherHash_IsDownloadedAgain()
    {
        var url = _server.Url();
        var path = await NewDownloader().DownloadAsync(url, _cache.Path).DefaultTimeout();
        var updated = TestModels.Write(DemoModelOptions.Tiny with { Seed = 99 });
        _server.Content = updated;

        var again = await NewDownloader().DownloadAsync(url, _cache.Path, Convert.ToHexStringLower(SHA256.HashData(updated))).DefaultTimeout();

        Assert.Equal(path, again);
        Assert.Equal(updated, await File.ReadAllBytesAsync(again));
        Assert.Equal(2, _server.RequestCount);
        Assert.Single(_logger.Named("ModelDownloadCacheInvalid"));
    }

    [Fact]
    public async Task Download_NotFound_FailsAtOnceWithTheStatus()
    {
        _server.Behaviour = (context, _) =>
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.FromResult(true);
        };

        var error = await Assert.ThrowsAsync<ModelDownloadException>(() => NewDownloader().DownloadAsync(_server.Url("/missing.gguf"), _cache.Path)).DefaultTimeout();

        Assert.Equal(HttpStatusCode.NotFound, error.StatusCode);
        Assert.Contains("404", error.Message, StringComparison.Ordinal);
        Assert.Contains("/missing.gguf", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, _server.RequestCount);
    }

    [Fact]
    public async Task Download_ServiceUnavailable_IsRetriedThenSucceeds()
    {
        _server.Behaviour = (context, number) =>
        {
            if (number != 1)
            {
                return Task.FromResult(false);
            }

            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return Task.FromResult(true);
        };

        var path = await NewDownloader().DownloadAsync(_server.Url(), _cache.Path).DefaultTimeout();

        Assert.Equal(_model, await File.ReadAllBytesAsync(path));
        Assert.Equal(2, _server.RequestCount);
    }

    [Fact]
    public async Task Download_ServerAlwaysFailing_GivesUpAfterMaxAttempts()
    {
        _server.Behaviour = (context, _) =>
        {
            context.Response.StatusCode = StatusCodes.Status502BadGateway;
            return Task.FromResult(true);
        };

        var error = await Assert.ThrowsAsync<ModelDownloadException>(() => NewDownloader().DownloadAsync(_server.Url(), _cache.Path)).DefaultTimeout();

        Assert.Equal(HttpStatusCode.BadGateway, error.StatusCode);
        Assert.Equal(FastRetries.MaxAttempts, _server.RequestCount);
        Assert.Equal(FastRetries.MaxAttempts - 1, _logger.Named("ModelDownloadRetrying").Count());
    }

    [Fact]
    public async Task Download_NotAGgufFile_IsRejectedAndDeleted()
    {
        _server.Content = "<html><body>Sign in to continue</body></html>"u8.ToArray();

        var error = await Assert.ThrowsAsync<ModelDownloadException>(() => NewDownloader().DownloadAsync(_server.Url(), _cache.Path)).DefaultTimeout();

        Assert.Contains("not a GGUF file", error.Message, StringComparison.Ordinal);
        Assert.Contains("<htm", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_cache.Path));
    }

    [Fact]
    public async Task Download_Cancelled_StopsAndKeepsThePartialForLater()
    {
        var url = _server.Url();
        var partial = Path.Combine(_cache.Path, ModelDownloader.GetCacheFileName(url)) + ModelDownloader.PartialSuffix;
        _server.Behaviour = async (context, number) =>
        {
            if (number != 1)
            {
                return false;
            }

            context.Response.ContentLength = _model.Length;
            await ModelFileServer.WriteChunkedAsync(context, _model.AsMemory(0, 200_000), 50_000);
            await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
            return true;
        };
        using var cts = new CancellationTokenSource();

        var download = NewDownloader().DownloadAsync(url, _cache.Path, ModelSha256, cts.Token);
        await TaskTimeoutExtensions.WaitUntilAsync(() => File.Exists(partial) && new FileInfo(partial).Length > 0, "the first bytes");
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => download).DefaultTimeout();
        Assert.InRange(new FileInfo(partial).Length, 1, 200_000);
        Assert.Empty(_logger.Named("ModelDownloadRetrying"));

        var path = await NewDownloader().DownloadAsync(url, _cache.Path, ModelSha256).DefaultTimeout();
        Assert.Equal(_model, await File.ReadAllBytesAsync(path));
        Assert.StartsWith("bytes=", _server.Requests.Last().Range, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Download_UnknownLength_LogsProgressWithoutTotal()
    {
        _server.Behaviour = async (context, number) =>
        {
            // No Content-Length: chunked transfer encoding, size unknown until the end.
            await ModelFileServer.WriteChunkedAsync(context, _model, 100_000);
            return true;
        };

        var path = await NewDownloader().DownloadAsync(_server.Url(), _cache.Path, ModelSha256).DefaultTimeout();

        Assert.Equal(_model, await File.ReadAllBytesAsync(path));
        Assert.Contains(_logger.Named("ModelDownloadProgressUnknownSize"), e => e.Message.Contains($"{_model.Length} bytes", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("https://example.invalid/models/TinyLlama Q4_K_M.gguf?token=x", "TinyLlama_Q4_K_M-")]
    [InlineData("https://example.invalid/a/b/model.GGUF", "model-")]
    [InlineData("https://example.invalid/", "model-")]
    [InlineData("https://example.invalid/dl/../.hidden..gguf", "hidden-")]
    [InlineData("https://example.invalid/%E2%96%81weird%2Fname.bin", "weird_name.bin-")]
    public void GetCacheFileName_IsSanitisedNamePlusUrlHash(string url, string prefix)
    {
        var name = ModelDownloader.GetCacheFileName(new Uri(url));

        Assert.StartsWith(prefix, name, StringComparison.Ordinal);
        Assert.Matches("^[A-Za-z0-9._-]+-[0-9a-f]{12}\\.gguf$", name);
    }

    [Fact]
    public void GetCacheFileName_DependsOnTheUrlButNotItsFragment()
    {
        var name = ModelDownloader.GetCacheFileName(new Uri("https://example.invalid/m.gguf?v=1"));

        Assert.Equal(name, ModelDownloader.GetCacheFileName(new Uri("https://example.invalid/m.gguf?v=1#sha256=" + new string('a', 64))));
        Assert.NotEqual(name, ModelDownloader.GetCacheFileName(new Uri("https://example.invalid/m.gguf?v=2")));
        Assert.NotEqual(name, ModelDownloader.GetCacheFileName(new Uri("https://mirror.invalid/m.gguf?v=1")));
        Assert.Equal(80 + "-0123456789ab.gguf".Length, ModelDownloader.GetCacheFileName(new Uri("https://example.invalid/" + new string('x', 200))).Length);
    }

    [Fact]
    public void Redact_DropsUserInfoQueryAndFragment()
    {
        var redacted = ModelDownloader.Redact(new Uri("https://user:secret@example.invalid:8443/m/x.gguf?token=abc#sha256=00"));

        Assert.Equal("https://example.invalid:8443/m/x.gguf?…", redacted);
    }
}
