using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Vespa.Core.Envelopes;
using Vespa.Core.Signatures;

namespace Vespa.Emulator;

/// <summary>
/// A local vast.ai autoscaler for development and tests: serves <c>/pubkey/</c>, signs <c>/route/</c> answers like
/// vast.ai (url or legacy scheme), records <c>/worker_status/</c> and <c>/delete_requests/</c> reports, lists
/// endpoints (<c>/api/v0/endptjobs/</c>), and injects faults on demand. Runs on Kestrel in-process.
/// </summary>
/// <remarks>
/// HTTP surface: <c>GET /pubkey/</c>, <c>POST /route/</c>, <c>POST /worker_status/</c>, <c>POST /delete_requests/</c>,
/// <c>GET /api/v0/endptjobs/</c>, <c>GET /api/v0/endptjobs/{id}/</c>, <c>GET /_emulator/reports</c>,
/// <c>GET|POST /_emulator/faults</c> (each path also without its trailing slash), and the live page: <c>GET /</c>
/// and the state it polls, <c>GET /_emulator/state?since=N</c>. Errors are <c>{"error": "..."}</c>.
/// </remarks>
public sealed partial class AutoscalerEmulator : IAsyncDisposable
{
    /// <summary>The largest request body accepted (reports are a few hundred bytes).</summary>
    private const long MaxRequestBodyBytes = 1024 * 1024;

    /// <summary>How often silent workers are checked for staleness.</summary>
    private static readonly TimeSpan StaleCheckPeriod = TimeSpan.FromMilliseconds(250);

    private readonly EnvelopeSigner _signer;
    private readonly SignatureScheme _scheme;
    private readonly TimeProvider _time;
    private readonly IReadOnlyList<EmulatedEndpoint> _endpoints;
    private readonly string _accountKey;
    private readonly bool _requireApiKeys;
    private readonly DateTimeOffset _startedAt;
    private readonly WorkerRegistry _workers;
    private readonly BoundedLog<WorkerStatusReport> _statusReports;
    private readonly BoundedLog<DeleteRequestsReport> _deleteReports;
    private readonly BoundedLog<EmulatorEvent> _events;
    private readonly ITimer _staleCheck;
    private readonly ConcurrentDictionary<string, string> _urlSignatures = new(StringComparer.Ordinal);
    private readonly long[] _accepted = new long[EmulatorOperationNames.All.Count];
    private readonly long[] _rejected = new long[EmulatorOperationNames.All.Count];
    private WebApplication? _app;
    private long _lastReqnum;
    private long _lastRequestIdx;
    private int _disposed;

    private AutoscalerEmulator(EmulatorOptions options, EnvelopeSigner signer, IReadOnlyList<EmulatedEndpoint> endpoints)
    {
        _signer = signer;
        _scheme = options.Scheme;
        _time = options.TimeProvider;
        _endpoints = endpoints;
        _accountKey = options.AccountKey;
        _requireApiKeys = options.RequireApiKeys;
        _startedAt = _time.GetUtcNow();
        _statusReports = new BoundedLog<WorkerStatusReport>(options.MaxRecordedReports);
        _deleteReports = new BoundedLog<DeleteRequestsReport>(options.MaxRecordedReports);
        _events = new BoundedLog<EmulatorEvent>(options.MaxRecordedEvents);
        _workers = new WorkerRegistry(_time, StalePolicy.From(options));
        PublicKeyPem = signer.ExportPublicKeyPem();
        foreach (var worker in options.Workers)
        {
            RegisterWorker(worker);
        }

        // Staleness is also checked on every route and snapshot; the timer makes "worker stale" reach the event log
        // (and the views) while nothing else happens.
        _staleCheck = _time.CreateTimer(_ => CheckStale(), null, StaleCheckPeriod, StaleCheckPeriod);
    }

    /// <summary>Raised after a <c>/worker_status/</c> report is recorded, on the request's thread (keep handlers short).</summary>
    public event EventHandler<WorkerStatusReport>? StatusReportReceived;

    /// <summary>Raised after a <c>/delete_requests/</c> report is recorded, on the request's thread.</summary>
    public event EventHandler<DeleteRequestsReport>? DeleteReportReceived;

    /// <summary>Raised after an event is added to <see cref="Events"/>, on the thread that caused it (keep handlers
    /// short).</summary>
    public event EventHandler<EmulatorEvent>? EventRecorded;

    /// <summary>Where the emulator listens, e.g. <c>http://127.0.0.1:8081</c> (no trailing slash in
    /// <see cref="Uri.OriginalString"/>): what a worker's <c>REPORT_ADDR</c> should be. A wildcard listen address is
    /// shown as loopback.</summary>
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>The signing key's public half, PEM <c>PUBLIC KEY</c> (SubjectPublicKeyInfo), as <c>/pubkey/</c> serves it.</summary>
    public string PublicKeyPem { get; }

    /// <summary>What <c>/route/</c> signs.</summary>
    public SignatureScheme Scheme => _scheme;

    /// <summary>The endpoints served.</summary>
    public IReadOnlyList<EmulatedEndpoint> Endpoints => _endpoints;

    /// <summary>Injected failures; change them at any time.</summary>
    public EmulatorFaults Faults { get; } = new();

    /// <summary>The accepted <c>/worker_status/</c> reports, oldest first (a snapshot; the last
    /// <see cref="EmulatorOptions.MaxRecordedReports"/> are kept).</summary>
    public IReadOnlyList<WorkerStatusReport> StatusReports => _statusReports.Snapshot();

    /// <summary>The accepted <c>/delete_requests/</c> reports, oldest first (a snapshot, bounded like
    /// <see cref="StatusReports"/>).</summary>
    public IReadOnlyList<DeleteRequestsReport> DeleteReports => _deleteReports.Snapshot();

    /// <summary>The latest status report of each worker that has reported (by url, or id when it sends no url), in
    /// order of first report.</summary>
    public IReadOnlyList<WorkerStatusReport> LatestStatusReports => _workers.Latest();

    /// <summary>Workers registered with <see cref="EmulatorOptions.Workers"/> or <see cref="RegisterWorker"/>.</summary>
    public IReadOnlyList<string> RegisteredWorkers => _workers.Registered;

    /// <summary>The worker URLs <c>/route/</c> picks from now, in round-robin order: the registered ones, then those
    /// whose latest report has a url, a load time above 0 and no error; a stale worker is skipped until it reports
    /// again.</summary>
    public IReadOnlyList<string> EligibleWorkers
    {
        get
        {
            CheckStale();
            return _workers.Eligible();
        }
    }

    /// <summary>Every known worker (registered or reporting) with its state, latest report and running totals, in
    /// order of first appearance.</summary>
    public IReadOnlyList<EmulatedWorker> Workers
    {
        get
        {
            CheckStale();
            return _workers.Snapshot();
        }
    }

    /// <summary>The event log, oldest first (a snapshot; the last <see cref="EmulatorOptions.MaxRecordedEvents"/> are
    /// kept): routes given and refused, malformed reports, delete records, faults, workers joining, ready, in error,
    /// stale and back.</summary>
    public IReadOnlyList<EmulatorEvent> Events => _events.Snapshot();

    /// <summary>How many events were ever recorded (the last one's <see cref="EmulatorEvent.Sequence"/>).</summary>
    public long EventCount => _events.TotalCount;

    /// <summary>Starts an emulator on <see cref="EmulatorOptions.Host"/>:<see cref="EmulatorOptions.Port"/>.</summary>
    /// <exception cref="ArgumentException">Invalid options: the auto scheme, a host that is not an IP address, a
    /// non-loopback host without <see cref="EmulatorOptions.AllowRemote"/>, duplicate endpoint names, empty keys, a
    /// worker URL that is not absolute http(s), or a key file that holds no RSA private key.</exception>
    /// <exception cref="IOException">The key file cannot be read or the port cannot be bound.</exception>
    public static async Task<AutoscalerEmulator> StartAsync(EmulatorOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var address = Validate(options, out var endpoints);
        var signer = options.PrivateKeyPem is { } pem ? EnvelopeSigner.FromPrivateKeyPem(pem)
            : options.PrivateKeyPemFile is { } file ? EnvelopeSigner.FromPrivateKeyPem(await File.ReadAllTextAsync(file, cancellationToken).ConfigureAwait(false))
            : EnvelopeSigner.Create(2048);
        var emulator = new AutoscalerEmulator(options, signer, endpoints);
        try
        {
            await emulator.StartServerAsync(address, options.Port, cancellationToken).ConfigureAwait(false);
            return emulator;
        }
        catch
        {
            await emulator.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Parses a listen host: an IP address, or <c>localhost</c> (127.0.0.1).</summary>
    public static bool TryParseHost(string? host, out IPAddress address)
    {
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            address = IPAddress.Loopback;
            return true;
        }

        return IPAddress.TryParse(host, out address!);
    }

    /// <summary>Lets <c>/route/</c> pick <paramref name="workerUrl"/> (a worker's public base URL).</summary>
    /// <exception cref="ArgumentException">Not an absolute http(s) URL.</exception>
    public void RegisterWorker(Uri workerUrl)
    {
        if (_workers.Register(workerUrl))
        {
            var url = WorkerRegistry.Normalize(workerUrl);
            AddEvent(EmulatorEventKind.WorkerRegistered, url, $"{url} registered: routes may pick it");
        }
    }

    /// <summary>Undoes <see cref="RegisterWorker"/> (a worker that reports itself ready stays eligible).</summary>
    public bool UnregisterWorker(Uri workerUrl) => _workers.Unregister(workerUrl);

    /// <summary>
    /// Routes in-process, exactly as <c>POST /route/</c> would (same counters, same signing), without the endpoint key
    /// check or faults: a READY result carries the <see cref="RouteResult.AuthData"/> to put into a request envelope.
    /// </summary>
    /// <param name="endpoint">An endpoint name.</param>
    /// <param name="cost">The workload.</param>
    /// <param name="requestIdx">0 for a new request; the previous answer's <c>request_idx</c> on a retry.</param>
    /// <exception cref="ArgumentException">No such endpoint, or a negative <paramref name="requestIdx"/>.</exception>
    public RouteResult Route(string endpoint, double cost = 100, long requestIdx = 0)
    {
        var found = FindEndpoint(endpoint) ?? throw new ArgumentException($"Unknown endpoint '{endpoint}'.", nameof(endpoint));
        ArgumentOutOfRangeException.ThrowIfNegative(requestIdx);
        if (!double.IsFinite(cost))
        {
            throw new ArgumentOutOfRangeException(nameof(cost), cost, "The cost must be a finite number.");
        }

        return RouteCore(found, cost, requestIdx);
    }

    /// <summary>The first kept status report that matches <paramref name="predicate"/>, or the next one to arrive.</summary>
    public Task<WorkerStatusReport> WaitForStatusReportAsync(Func<WorkerStatusReport, bool> predicate, CancellationToken cancellationToken = default) =>
        _statusReports.WaitAsync(predicate, cancellationToken);

    /// <summary>The first kept event that matches <paramref name="predicate"/>, or the next one to be recorded.</summary>
    public Task<EmulatorEvent> WaitForEventAsync(Func<EmulatorEvent, bool> predicate, CancellationToken cancellationToken = default) =>
        _events.WaitAsync(predicate, cancellationToken);

    /// <summary>The first kept delete report that matches <paramref name="predicate"/>, or the next one to arrive.</summary>
    public Task<DeleteRequestsReport> WaitForDeleteReportAsync(Func<DeleteRequestsReport, bool> predicate, CancellationToken cancellationToken = default) =>
        _deleteReports.WaitAsync(predicate, cancellationToken);

    /// <summary>How many requests of <paramref name="operation"/> were accepted and answered normally (reports
    /// recorded, routes answered, keys and listings served), including reports since dropped from the bounded lists.</summary>
    public long GetAcceptedCount(EmulatorOperation operation) => Interlocked.Read(ref _accepted[(int)operation]);

    /// <summary>How many requests of <paramref name="operation"/> were refused as invalid (400, 401, 404, 413).
    /// Fault answers count in <see cref="EmulatorFaults.GetFailedAttempts"/> instead.</summary>
    public long GetRejectedCount(EmulatorOperation operation) => Interlocked.Read(ref _rejected[(int)operation]);

    /// <summary>The signing key as PEM <c>PRIVATE KEY</c>, for <c>emulate --save-key</c>.</summary>
    public string ExportPrivateKeyPem() => _signer.ExportPrivateKeyPem();

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _staleCheck.DisposeAsync().ConfigureAwait(false);
        _statusReports.CancelWaiters();
        _deleteReports.CancelWaiters();
        _events.CancelWaiters();
        if (_app is not null)
        {
            using var stopTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _app.StopAsync(stopTimeout.Token).ConfigureAwait(false);
            await _app.DisposeAsync().ConfigureAwait(false);
        }

        _signer.Dispose();
    }

    private static IPAddress Validate(EmulatorOptions options, out IReadOnlyList<EmulatedEndpoint> endpoints)
    {
        if (options.Scheme is not (SignatureScheme.Url or SignatureScheme.Legacy))
        {
            throw new ArgumentException("The emulator signs with the url or the legacy scheme; 'auto' names no single message.", nameof(options));
        }

        if (!TryParseHost(options.Host, out var address))
        {
            throw new ArgumentException($"Host '{options.Host}' is not an IP address (or localhost).", nameof(options));
        }

        if (!IPAddress.IsLoopback(address) && !options.AllowRemote)
        {
            throw new ArgumentException(
                $"Refusing to listen on non-loopback address {options.Host}: the emulator's keys are well known. Allow it explicitly (--allow-remote).",
                nameof(options));
        }

        if (options.Port is < 0 or > 65535)
        {
            throw new ArgumentException($"Port {options.Port} is outside 0–65535.", nameof(options));
        }

        if (options.MaxRecordedReports < 1 || options.MaxRecordedEvents < 1)
        {
            throw new ArgumentException("MaxRecordedReports and MaxRecordedEvents must be at least 1.", nameof(options));
        }

        if (options.StaleAfterMissedReports < 1 || options.MinimumStaleAfter < TimeSpan.Zero || options.DefaultReportInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException("StaleAfterMissedReports must be at least 1, MinimumStaleAfter not negative and DefaultReportInterval positive.", nameof(options));
        }

        if (string.IsNullOrEmpty(options.AccountKey))
        {
            throw new ArgumentException("The account key must not be empty.", nameof(options));
        }

        ArgumentNullException.ThrowIfNull(options.TimeProvider);
        endpoints = options.Endpoints.Count == 0 ? [EmulatedEndpoint.Default] : [.. options.Endpoints];
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var endpoint in endpoints)
        {
            if (string.IsNullOrEmpty(endpoint.Name) || string.IsNullOrEmpty(endpoint.ApiKey))
            {
                throw new ArgumentException("Every endpoint needs a name and an API key.", nameof(options));
            }

            if (!names.Add(endpoint.Name))
            {
                throw new ArgumentException($"Endpoint '{endpoint.Name}' is listed twice.", nameof(options));
            }
        }

        foreach (var worker in options.Workers)
        {
            _ = WorkerRegistry.Normalize(worker);
        }

        return address;
    }

    private async Task StartServerAsync(IPAddress address, int port, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(address, port);
            kestrel.Limits.MaxRequestBodySize = MaxRequestBodyBytes;
            kestrel.AddServerHeader = false;
        });
        _app = builder.Build();
        MapEndpoints(_app);
        await _app.StartAsync(cancellationToken).ConfigureAwait(false);

        var bound = new Uri(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        var host = address.Equals(IPAddress.Any) ? "127.0.0.1" : address.Equals(IPAddress.IPv6Any) ? "[::1]" : bound.Host;
        BaseUrl = new Uri($"{bound.Scheme}://{host}:{bound.Port}");
    }

    private EmulatedEndpoint? FindEndpoint(string? name)
    {
        foreach (var endpoint in _endpoints)
        {
            if (string.Equals(endpoint.Name, name, StringComparison.Ordinal))
            {
                return endpoint;
            }
        }

        return null;
    }

    private RouteResult RouteCore(EmulatedEndpoint endpoint, double cost, long requestIdx)
    {
        var idx = requestIdx > 0 ? requestIdx : Interlocked.Increment(ref _lastRequestIdx);
        var requestId = Guid.NewGuid().ToString("N");
        CheckStale();
        var url = _workers.Pick();
        if (url is null)
        {
            var stale = _workers.StaleCount();
            AddEvent(EmulatorEventKind.RouteRefused, null, string.Create(CultureInfo.InvariantCulture,
                $"route {endpoint.Name} request_idx {idx}: WAITING, {RouteResult.NoWorkersReady}{(stale > 0 ? $" ({stale} stale)" : "")}"));
            return RouteResult.Waiting(endpoint.Name, cost, idx, requestId, RouteResult.NoWorkersReady);
        }

        var reqnum = Interlocked.Increment(ref _lastReqnum);
        var unsigned = AuthData.Create(cost, endpoint.Name, reqnum, idx, string.Empty, url);

        // PKCS#1 v1.5 is deterministic and the url scheme signs only the url: sign each worker's url once.
        var signature = _scheme == SignatureScheme.Url
            ? _urlSignatures.GetOrAdd(url, static (_, state) => state.Signer.Sign(state.Unsigned, SignatureScheme.Url), (Signer: _signer, Unsigned: unsigned))
            : _signer.Sign(unsigned, _scheme);
        AddEvent(EmulatorEventKind.RouteGiven, url, string.Create(CultureInfo.InvariantCulture,
            $"route {endpoint.Name} request_idx {idx} -> {url} (cost {cost:0.###}, reqnum {reqnum})"));
        return RouteResult.Ready(unsigned.WithSignature(signature), cost, idx, requestId);
    }

    /// <summary>Marks silent workers stale and logs it (from the timer, routes and snapshots).</summary>
    private void CheckStale()
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        foreach (var change in _workers.RefreshStale())
        {
            AddEvent(change.Kind, change.Worker, change.Message);
        }
    }

    private void AddEvent(EmulatorEventKind kind, string? worker, string message)
    {
        var recorded = new EmulatorEvent(_time.GetUtcNow(), kind, worker, message);
        _events.Add(recorded, static (e, sequence) => e.Sequence = sequence);
        EventRecorded?.Invoke(this, recorded);
    }

    private void CountAccepted(EmulatorOperation operation) => Interlocked.Increment(ref _accepted[(int)operation]);

    private void CountRejected(EmulatorOperation operation) => Interlocked.Increment(ref _rejected[(int)operation]);
}
