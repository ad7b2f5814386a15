using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Vespa.Core.Envelopes;
using Vespa.Core.Signatures;
using Vespa.Worker.Admission;
using Vespa.Worker.Envelopes;
using Vespa.Worker.Lifecycle;
using Vespa.Worker.Metrics;
using Vespa.Worker.Options;
using Vespa.Worker.Reporting;
using Vespa.Worker.Security;

namespace Vespa.Perf.Micro;

/// <summary>
/// What one secured request costs the worker before YARP takes it (issue 10, deliver 2), step by step and as a whole,
/// with the worker's own classes: envelope read and parse, canonical messages, the signature check (url cached,
/// legacy uncached, forged repeated), admission (unlimited and with the FIFO gate), and the status report the worker
/// writes once a second. The allocation column is the figure to read on a shared machine: it does not depend on load.
/// </summary>
[MemoryDiagnoser]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "BenchmarkDotNet needs an unsealed class and releases it through [GlobalCleanup].")]
public class RequestPathBenchmarks
{
    private const int Distinct = 5000;
    private const string PublicHost = "203.0.113.7";
    private const int PublicPort = 41234;
    private const string Url = "http://203.0.113.7:41234";
    private const string Payload = """{"model":"bench","messages":[{"role":"user","content":"Say hello in five words."}],"max_tokens":16}""";

    private EnvelopeSigner _signer = null!;
    private EnvelopeVerifier _verifier = null!;
    private SignatureChecker _urlChecker = null!;
    private SignatureChecker _legacyChecker = null!;
    private EnvelopeReader _reader = null!;
    private AdmissionController _admission = null!;
    private AdmissionController _gatedAdmission = null!;
    private WorkerOptions _options = null!;
    private WorkerState _state = null!;
    private LoadTracker _load = null!;
    private WorkerMetrics _metrics = null!;
    private AuthData _urlAuth = null!;
    private AuthData[] _legacyAuth = [];
    private AuthData _forgedAuth = null!;
    private byte[] _urlBody = [];
    private DefaultHttpContext _context = null!;
    private MemoryStream _bodyStream = null!;
    private ArrayBufferWriter<byte> _report = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        _signer = EnvelopeSigner.Create(2048);
        var time = TimeProvider.System;
        _options = new WorkerOptions { PublicIpAddress = PublicHost, PublicPort = PublicPort, ContainerId = 4242, MasterToken = "bench-master-token" };
        var keys = new PublicKeyStore(time);
        _verifier = EnvelopeVerifier.FromPublicKey(_signer.ExportPublicKeyPem());
        keys.SetLoaded(_verifier, "benchmark");
        _metrics = new WorkerMetrics(Prometheus.Metrics.NewCustomRegistry());
        _urlChecker = new SignatureChecker(keys, _options, new WorkerUrlBinding(_options), _metrics, time, NullLogger<SignatureChecker>.Instance);
        var legacyOptions = new WorkerOptions { PublicIpAddress = PublicHost, PublicPort = PublicPort, SignatureScheme = SignatureScheme.Legacy };
        _legacyChecker = new SignatureChecker(keys, legacyOptions, new WorkerUrlBinding(legacyOptions), _metrics, time, NullLogger<SignatureChecker>.Instance);
        _reader = new EnvelopeReader(_options, new UnverifiedBodyBudget(_options.UnverifiedBodyBudget));

        _state = new WorkerState(time, _options, NullLogger<WorkerState>.Instance);
        _state.SetPublicKeyLoaded();
        _state.MarkReady(1000);
        _load = new LoadTracker(time);
        _admission = new AdmissionController(_load, _state, _options, _metrics, time, NullLogger<AdmissionController>.Instance);
        var gated = new WorkerOptions { PublicIpAddress = PublicHost, PublicPort = PublicPort, MaxConcurrency = 4 };
        _gatedAdmission = new AdmissionController(new LoadTracker(time), _state, gated, _metrics, time, NullLogger<AdmissionController>.Instance);

        _urlAuth = _signer.CreateSignedAuthData(1, "bench", 1, 1, Url, SignatureScheme.Url);
        _legacyAuth = [.. Enumerable.Range(0, Distinct).Select(i => _signer.CreateSignedAuthData(1, "bench", i, i, Url, SignatureScheme.Legacy))];
        _forgedAuth = _urlAuth.WithSignature(_legacyAuth[0].SignatureText!);
        _urlBody = Encoding.UTF8.GetBytes($$"""{"auth_data":{{_urlAuth.ToJson()}},"payload":{{Payload}}}""");

        _bodyStream = new MemoryStream(_urlBody, writable: false);
        _context = new DefaultHttpContext();
        _context.Request.Method = "POST";
        _context.Request.Path = "/v1/chat/completions";
        _context.Request.ContentType = "application/json";
        _context.Request.ContentLength = _urlBody.Length;
        _context.Request.Body = _bodyStream;
        _report = new ArrayBufferWriter<byte>(1024);

        // Steady state: the url signature is cached, legacy has matched once.
        _urlChecker.Check(_urlAuth);
        _legacyChecker.Check(_legacyAuth[0]);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _verifier?.Dispose();
        _signer?.Dispose();
        _admission?.Dispose();
        _gatedAdmission?.Dispose();
    }

    [Benchmark]
    public bool ParseEnvelope() => EnvelopeParser.Parse(_urlBody).IsValid;

    [Benchmark]
    public int CanonicalUrlMessage() => SignedMessages.ForUrlScheme(_urlAuth).Length;

    [Benchmark]
    public int CanonicalLegacyMessage() => SignedMessages.ForLegacyScheme(_urlAuth).Length;

    /// <summary>The body read into a pooled buffer and the envelope parsed, as <c>EnvelopeReader</c> does per request.</summary>
    [Benchmark]
    public bool ReadEnvelope()
    {
        _bodyStream.Position = 0;
        using var incoming = Read();
        return incoming.AuthData is not null;
    }

    [Benchmark]
    public bool CheckUrlCached() => _urlChecker.Check(_urlAuth) is null;

    [Benchmark]
    public bool CheckLegacyUncached() => _legacyChecker.Check(_legacyAuth[_next++ % Distinct]) is null;

    [Benchmark]
    public bool CheckForgedRepeated() => _urlChecker.Check(_forgedAuth) is null;

    [Benchmark]
    public bool Admit() => AdmitAndComplete(_admission);

    [Benchmark]
    public bool AdmitGated() => AdmitAndComplete(_gatedAdmission);

    /// <summary>The whole path before forwarding: read, parse, url and signature check, admission, completion.</summary>
    [Benchmark]
    public bool PreForwardUrl()
    {
        _bodyStream.Position = 0;
        using var incoming = Read();
        if (_urlChecker.Check(incoming.AuthData!) is not null)
        {
            return false;
        }

        incoming.MarkVerified();
        return AdmitAndComplete(_admission, incoming.AuthData);
    }

    /// <summary>The <c>/worker_status/</c> body, written once a second.</summary>
    [Benchmark]
    public int WriteStatusReport()
    {
        _report.ResetWrittenCount();
        WorkerStatusReporter.WriteReport(_report, _options, _state, _load.Snapshot(), 0.0, null);
        return _report.WrittenCount;
    }

    private IncomingRequest Read()
    {
        var pending = _reader.ReadAsync(_context);
        // A body in memory is read synchronously; anything else would be a finding, not a figure.
        if (!pending.IsCompleted)
        {
            throw new InvalidOperationException("the envelope read did not complete synchronously");
        }

#pragma warning disable CA2012 // Completed: checked just above.
        return pending.Result;
#pragma warning restore CA2012
    }

    private bool AdmitAndComplete(AdmissionController admission, AuthData? auth = null)
    {
        auth ??= _urlAuth;
        var workload = admission.GetWorkload(auth);
        var pending = admission.AdmitAsync(auth, workload, CancellationToken.None);
        // Admission without a queue completes synchronously; anything else would be a finding, not a figure.
        if (!pending.IsCompleted)
        {
            throw new InvalidOperationException("admission did not complete synchronously");
        }

#pragma warning disable CA2012 // Completed: checked just above.
        var (ticket, error) = pending.Result;
#pragma warning restore CA2012
        if (ticket is null || error is not null)
        {
            return false;
        }

        ticket.Complete(RequestStatus.Success);
        _metrics.Request(RequestOutcome.Success);
        _metrics.Workload("served", workload);
        ticket.Dispose();
        return true;
    }
}
