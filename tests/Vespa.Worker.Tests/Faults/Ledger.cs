using System.Net;
using Vespa.Core.Envelopes;
using Vespa.Testing;

namespace Vespa.Worker.Tests.Faults;

/// <summary>What a test sent and how each request ended, to compare with what the worker reported (<see cref="Settled"/>).</summary>
internal sealed class Ledger
{
    private readonly Lock _lock = new();
    private readonly Dictionary<long, string> _statuses = [];
    private readonly Dictionary<string, double> _outcomes = new(StringComparer.Ordinal)
    {
        ["success"] = 0,
        ["backend_error"] = 0,
        ["failed"] = 0,
        ["cancelled"] = 0,
    };

    private double _received;
    private double _served;
    private double _cancelled;

    /// <summary>Records a request that ended as <paramref name="status"/> (the delete record) and <paramref name="outcome"/> (the metric label).</summary>
    public void Add(AuthData auth, double cost, string status, string outcome)
    {
        ArgumentNullException.ThrowIfNull(auth);
        lock (_lock)
        {
            _statuses.Add(auth.RequestIdxValue!.Value, status);
            _received += cost;
            _served += status == "Success" ? cost : 0;
            _cancelled += status == "Cancelled" ? cost : 0;
            _outcomes[outcome] = _outcomes.GetValueOrDefault(outcome) + 1;
        }
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _statuses.Count;
            }
        }
    }

    public Settled ToSettled()
    {
        lock (_lock)
        {
            return new Settled
            {
                Statuses = new Dictionary<long, string>(_statuses),
                Received = _received,
                Served = _served,
                Cancelled = _cancelled,
                Outcomes = new Dictionary<string, double>(_outcomes, StringComparer.Ordinal),
            };
        }
    }

    /// <summary>
    /// One round of mixed traffic against a <see cref="FakeBackend"/>: a success, a backend 503 and a request whose
    /// client leaves while the backend works, each recorded here.
    /// </summary>
    public async Task MixedRoundAsync(FaultHarness h, FakeBackend backend)
    {
        ArgumentNullException.ThrowIfNull(h);
        ArgumentNullException.ThrowIfNull(backend);
        var ok = h.Sign(cost: 2);
        using (var response = await h.Worker.Client.SendAsync(FaultHarness.Post("/v1/echo", ok, "{\"n\":1}")).DefaultTimeout())
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("{\"n\":1}", await response.Content.ReadAsStringAsync().DefaultTimeout());
        }

        Add(ok, 2, "Success", "success");

        var failed = h.Sign(cost: 3);
        using (var response = await h.Worker.Client.SendAsync(FaultHarness.Post("/status/503", failed)).DefaultTimeout())
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        }

        Add(failed, 3, "Error", "backend_error");

        var left = h.Sign(cost: 1);
        var marker = "id=" + left.RequestIdxValue;
        using var cancel = new CancellationTokenSource();
        var call = h.Worker.Client.SendAsync(FaultHarness.Post("/slow?ms=60000&" + marker, left), cancel.Token);
        await TaskTimeoutExtensions.WaitUntilAsync(() => backend.Requests.Any(r => r.QueryString.Contains(marker, StringComparison.Ordinal)), "the backend to get " + marker);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.DefaultTimeout());
        Add(left, 1, "Cancelled", "cancelled");
    }
}
