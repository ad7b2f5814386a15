using System.Net;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using Vespa.Testing;
using Vespa.Worker.Lifecycle;
using Vespa.Worker.Metrics;
using Vespa.Worker.Options;
using Vespa.Worker.Security;
using Vespa.Worker.Tests.Infrastructure;

namespace Vespa.Worker.Tests.Unit;

/// <summary>The public-key fetcher on a recording fake clock: exact back-off, error_msg, readiness and refresh.</summary>
public sealed class PublicKeyFetcherTests : IAsyncLifetime, IDisposable
{
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(3.3);

    private readonly RecordingTimeProvider _time = new(DateTimeOffset.FromUnixTimeSeconds(1_754_500_000));
    private readonly ScriptedPubkey _pubkey = new();
    private readonly WorkerOptions _options = new()
    {
        Unsecured = false,
        ReportAddresses = [new Uri("http://127.0.0.1:9")],
        PubkeyMaxRetries = 3,
        PubkeyTimeout = AttemptTimeout,
    };

    private readonly PublicKeyStore _store;
    private readonly WorkerState _state;
    private readonly ApplicationLifetime _lifetime = new(NullLogger<ApplicationLifetime>.Instance);
    private readonly PublicKeyFetcher _fetcher;

    public PublicKeyFetcherTests()
    {
        _store = new PublicKeyStore(_time);
        _state = new WorkerState(_time, _options, NullLogger<WorkerState>.Instance);
        var loops = new BackgroundLoops(_state, new WorkerMetrics(Prometheus.Metrics.NewCustomRegistry()), _time, NullLoggerFactory.Instance, _lifetime);
        _fetcher = new PublicKeyFetcher(_store, _state, _options, new SingleClientFactory(_pubkey), _time, loops, NullLogger<PublicKeyFetcher>.Instance);
    }

    public Task InitializeAsync()
    {
        _lifetime.NotifyStarted();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _fetcher.StopAsync(CancellationToken.None).DefaultTimeout();
    }

    public void Dispose()
    {
        _fetcher.Dispose();
        _pubkey.Dispose();
    }

    [Fact]
    public async Task NoKey_BacksOffFromOneToTenSeconds_ErrorMsgSaysWhy_NoLoadtimeUntilTheKeyArrives()
    {
        _pubkey.FailFirst = 6;
        _state.MarkReady(1000); // the backend is ready; the worker is not, without a key
        await _fetcher.StartAsync(CancellationToken.None);

        double[] expected = [1, 2, 4, 8, 10, 10];
        for (var attempt = 1; attempt <= expected.Length; attempt++)
        {
            var pause = await _time.NextTimerAsync(due => due != AttemptTimeout);
            Assert.Equal(attempt, _pubkey.Hits);
            Assert.Equal(TimeSpan.FromSeconds(expected[attempt - 1]), pause);
            Assert.Equal(0, _state.LoadTimeSeconds);
            if (attempt < _options.PubkeyMaxRetries)
            {
                Assert.Equal("", _state.ErrorMessage); // a transient failure is not an error yet
            }
            else
            {
                Assert.StartsWith($"public key not loaded after {attempt} attempt(s): http://127.0.0.1:9/pubkey/: HTTP 500", _state.ErrorMessage, StringComparison.Ordinal);
            }

            _time.Fake.Advance(pause);
        }

        await TaskTimeoutExtensions.WaitUntilAsync(() => _store.Verifier is not null, "the key to load");
        Assert.Equal(7, _pubkey.Hits);
        Assert.Equal("", _state.ErrorMessage); // cleared by itself
        Assert.True(_state.LoadTimeSeconds > 0);
        Assert.True(_state.IsReady);
    }

    [Fact]
    public async Task SignatureFailure_RefetchesTheKey_AtMostOncePer30Seconds()
    {
        await _fetcher.StartAsync(CancellationToken.None);
        await TaskTimeoutExtensions.WaitUntilAsync(() => _store.Verifier is not null, "the key to load");
        var first = _store.Verifier;

        Assert.True(_store.RequestRefresh());
        await TaskTimeoutExtensions.WaitUntilAsync(() => _pubkey.Hits == 2, "the refresh");
        await TaskTimeoutExtensions.WaitUntilAsync(() => !ReferenceEquals(_store.Verifier, first), "the refreshed key in use");

        Assert.False(_store.RequestRefresh()); // a flood of forged requests costs one fetch per 30 s at most
        _time.Fake.Advance(PublicKeyStore.RefreshInterval - TimeSpan.FromSeconds(1));
        Assert.False(_store.RequestRefresh());
        _time.Fake.Advance(TimeSpan.FromSeconds(1));
        Assert.True(_store.RequestRefresh());
        await TaskTimeoutExtensions.WaitUntilAsync(() => _pubkey.Hits == 3, "the second refresh");
    }

    [Fact]
    public async Task RefreshFails_TheKeyInUseStays()
    {
        await _fetcher.StartAsync(CancellationToken.None);
        await TaskTimeoutExtensions.WaitUntilAsync(() => _store.Verifier is not null, "the key to load");
        var key = _store.Verifier;
        _pubkey.FailFrom = 2;

        Assert.True(_store.RequestRefresh());
        for (var attempt = 2; attempt < 2 + _options.PubkeyMaxRetries - 1; attempt++)
        {
            _time.Fake.Advance(await _time.NextTimerAsync(due => due != AttemptTimeout));
        }

        await TaskTimeoutExtensions.WaitUntilAsync(() => _pubkey.Hits == 1 + _options.PubkeyMaxRetries, "every refresh attempt");
        Assert.Same(key, _store.Verifier);
        Assert.Equal("", _state.ErrorMessage);
    }

    /// <summary><c>/pubkey/</c> answers: 500 for the first <see cref="FailFirst"/> requests and from request <see cref="FailFrom"/> on; the key otherwise.</summary>
    private sealed class ScriptedPubkey : HttpMessageHandler
    {
        private int _hits;

        public int FailFirst { get; set; }

        public int FailFrom { get; set; } = int.MaxValue;

        public int Hits => Volatile.Read(ref _hits);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var hit = Interlocked.Increment(ref _hits);
            return Task.FromResult(hit <= FailFirst || hit >= FailFrom
                ? new HttpResponseMessage(HttpStatusCode.InternalServerError)
                : new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(TestAutoscalerKey.Shared.PublicKeyPem) });
        }
    }

    private sealed class SingleClientFactory(HttpMessageHandler handler) : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => new(handler, disposeHandler: false);
    }
}
