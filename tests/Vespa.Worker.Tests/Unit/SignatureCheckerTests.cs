using Microsoft.Extensions.Time.Testing;
using Vespa.Core.Signatures;
using Vespa.Testing;
using Vespa.Worker.Metrics;
using Vespa.Worker.Options;
using Vespa.Worker.Security;
using Vespa.Worker.Tests.Infrastructure;
using Vespa.Worker.Tests.Integration;

namespace Vespa.Worker.Tests.Unit;

/// <summary>Issue 9, finding 7: refusals are counted, and logged at most once per interval.</summary>
public sealed class SignatureCheckerTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UnixEpoch);
    private readonly ListLogger<SignatureChecker> _logger = new();
    private readonly WorkerMetrics _metrics = new(Prometheus.Metrics.NewCustomRegistry());

    private SignatureChecker NewChecker(PublicKeyStore keys)
    {
        var options = new WorkerOptions { Unsecured = false, PublicIpAddress = WorkerUrl.PublicIp, PublicPort = int.Parse(WorkerUrl.PublicPort, System.Globalization.CultureInfo.InvariantCulture) };
        return new SignatureChecker(keys, options, new WorkerUrlBinding(options), _metrics, _time, _logger);
    }

    private static PublicKeyStore LoadedKeys()
    {
        var keys = new PublicKeyStore(TimeProvider.System);
        keys.SetLoaded(EnvelopeVerifier.FromPublicKey(TestAutoscalerKey.Shared.PublicKeyPem), "test");
        return keys;
    }

    private async Task<string> MetricsTextAsync()
    {
        using var stream = new MemoryStream();
        await _metrics.Registry.CollectAndExportAsTextAsync(stream).DefaultTimeout();
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    [Fact]
    public async Task ForgedFlood_OneLogLinePerInterval_EveryRefusalCounted()
    {
        var checker = NewChecker(LoadedKeys());
        var forged = TestAutoscalerKey.Other.Sign(WorkerUrl.Signed);

        for (var i = 0; i < 100; i++)
        {
            Assert.NotNull(checker.Check(forged));
        }

        Assert.Single(_logger.Entries);
        _time.Advance(SignatureChecker.LogInterval);
        Assert.NotNull(checker.Check(forged));

        Assert.Equal(2, _logger.Entries.Count);
        Assert.Contains("99 more rejections not logged", _logger.Entries[1].Message, StringComparison.Ordinal);
        Assert.DoesNotContain(forged.SignatureText!, string.Concat(_logger.Entries.Select(e => e.Message)), StringComparison.Ordinal);
        Assert.Contains("vespa_worker_unauthenticated_requests_total{reason=\"invalid_signature\"} 101", await MetricsTextAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WrongUrlAndMissingKey_CountedUnderTheirOwnReasons()
    {
        var withKey = NewChecker(LoadedKeys());
        var withoutKey = NewChecker(new PublicKeyStore(TimeProvider.System));

        Assert.StartsWith("signed for another worker", withKey.Check(TestAutoscalerKey.Shared.Sign("http://198.51.100.1:1"))!.Message, StringComparison.Ordinal);
        Assert.StartsWith("signature cannot be checked", withoutKey.Check(TestAutoscalerKey.Shared.Sign(WorkerUrl.Signed))!.Message, StringComparison.Ordinal);

        var text = await MetricsTextAsync();
        Assert.Contains("vespa_worker_unauthenticated_requests_total{reason=\"wrong_url\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("vespa_worker_unauthenticated_requests_total{reason=\"no_public_key\"} 1", text, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidSignature_NoLogNoCount()
    {
        var checker = NewChecker(LoadedKeys());

        Assert.Null(checker.Check(TestAutoscalerKey.Shared.Sign(WorkerUrl.Signed)));
        Assert.Empty(_logger.Entries);
    }
}
