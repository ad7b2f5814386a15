using Microsoft.Extensions.Time.Testing;
using Vespa.Testing;
using static Vespa.Testing.EmulatorTestKit;

namespace Vespa.Emulator.Tests;

/// <summary>A worker that stops reporting (killed, hung) goes stale after ~3 missed reports and gets no more routes,
/// until it reports again. All on a FakeTimeProvider: the emulator's clock moves only when the test says so.</summary>
public sealed class StalenessTests
{
    private const string Worker = "http://127.0.0.1:3000";

    [Fact]
    public async Task KilledWorker_AfterThreeMissedReports_IsStale_AndGetsNoRoutes()
    {
        var time = new FakeTimeProvider();
        await using var emulator = await StartAsync(o => Configure(o, time));
        await ReportEveryAsync(emulator, time, TimeSpan.FromSeconds(1), count: 3);
        Assert.True(emulator.Route("local").IsReady);

        time.Advance(TimeSpan.FromSeconds(2.9)); // within 3 intervals of 1 s
        Assert.Equal([Worker], emulator.EligibleWorkers);
        Assert.True(emulator.Route("local").IsReady);

        time.Advance(TimeSpan.FromSeconds(0.2)); // the worker was killed: its reports stopped 3.1 s ago

        Assert.Empty(emulator.EligibleWorkers);
        var stale = Assert.Single(emulator.Events, e => e.Kind == EmulatorEventKind.WorkerStale);
        Assert.Equal(Worker, stale.Worker);
        Assert.Contains("no report for 3.1 s", stale.Message, StringComparison.Ordinal);
        var route = emulator.Route("local");
        Assert.False(route.IsReady);
        Assert.Equal(RouteResult.NoWorkersReady, route.Status);
        var worker = Assert.Single(emulator.Workers);
        Assert.Equal(EmulatedWorkerState.Stale, worker.State);
        Assert.False(worker.Eligible);
        Assert.Equal(TimeSpan.FromSeconds(3.1), worker.SilentFor);
        Assert.Contains(emulator.Events, e => e.Kind == EmulatorEventKind.RouteRefused && e.Message.Contains("(1 stale)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task StaleWorker_ReportsAgain_IsEligibleAgain_AndTheLogSaysSo()
    {
        var time = new FakeTimeProvider();
        await using var emulator = await StartAsync(o => Configure(o, time));
        await ReportEveryAsync(emulator, time, TimeSpan.FromSeconds(1), count: 2);
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Empty(emulator.EligibleWorkers);

        await PostAsync(emulator, "/worker_status/", StatusBody(Worker, loadtime: 2));

        var back = await emulator.WaitForEventAsync(e => e.Kind == EmulatorEventKind.WorkerBack).DefaultTimeout();
        Assert.Equal(Worker, back.Worker);
        Assert.Contains("after 10.0 s", back.Message, StringComparison.Ordinal);
        Assert.Equal([Worker], emulator.EligibleWorkers);
        Assert.True(emulator.Route("local").IsReady);
        Assert.Equal(EmulatedWorkerState.Ready, Assert.Single(emulator.Workers).State);
    }

    [Fact]
    public async Task StaleEvent_IsLoggedByTheTimer_WithoutAnyRouteOrSnapshot()
    {
        var time = new FakeTimeProvider();
        await using var emulator = await StartAsync(o => Configure(o, time));
        await ReportEveryAsync(emulator, time, TimeSpan.FromSeconds(1), count: 2);
        var events = new List<EmulatorEvent>();
        emulator.EventRecorded += (_, e) =>
        {
            lock (events)
            {
                events.Add(e);
            }
        };

        time.Advance(TimeSpan.FromSeconds(4)); // only the emulator's own stale check runs

        lock (events)
        {
            Assert.Contains(events, e => e.Kind == EmulatorEventKind.WorkerStale && e.Worker == Worker);
        }
    }

    [Fact]
    public async Task SlowReporter_IsJudgedByItsOwnInterval()
    {
        // The Python workers report about every 10 s when idle: silent for 12 s is normal for them, 31 s is not.
        var time = new FakeTimeProvider();
        await using var emulator = await StartAsync(o => Configure(o, time));
        await ReportEveryAsync(emulator, time, TimeSpan.FromSeconds(10), count: 3);

        time.Advance(TimeSpan.FromSeconds(12));
        var worker = Assert.Single(emulator.Workers);
        Assert.Equal(EmulatedWorkerState.Ready, worker.State);
        Assert.Equal(TimeSpan.FromSeconds(10), worker.ExpectedInterval);
        Assert.Equal(TimeSpan.FromSeconds(30), worker.StaleAfter);

        time.Advance(TimeSpan.FromSeconds(19));
        Assert.Equal(EmulatedWorkerState.Stale, Assert.Single(emulator.Workers).State);
    }

    [Fact]
    public async Task FastReporter_IsNotStaleBeforeTheMinimum()
    {
        var time = new FakeTimeProvider();
        await using var emulator = await StartAsync(o => Configure(o, time));
        await ReportEveryAsync(emulator, time, TimeSpan.FromSeconds(0.1), count: 5);

        time.Advance(TimeSpan.FromSeconds(2.9)); // 29 missed reports of 0.1 s, but within the 3 s minimum
        Assert.Equal(EmulatedWorkerState.Ready, Assert.Single(emulator.Workers).State);

        time.Advance(TimeSpan.FromSeconds(0.2));
        Assert.Equal(EmulatedWorkerState.Stale, Assert.Single(emulator.Workers).State);
    }

    [Fact]
    public async Task RegisteredWorker_ThatNeverReported_StaysEligible()
    {
        var time = new FakeTimeProvider();
        await using var emulator = await StartAsync(o =>
        {
            Configure(o, time);
            o.Workers.Add(new Uri("http://127.0.0.1:4000"));
        });

        time.Advance(TimeSpan.FromMinutes(5));

        Assert.Equal(["http://127.0.0.1:4000"], emulator.EligibleWorkers);
        var worker = Assert.Single(emulator.Workers);
        Assert.Equal(EmulatedWorkerState.Registered, worker.State);
        Assert.Null(worker.LastReport);
    }

    [Fact]
    public async Task RegisteredWorker_ThatStopsReporting_GoesStaleToo()
    {
        // emulate --worker URL, then the worker at URL is killed: the registration does not keep it routable.
        var time = new FakeTimeProvider();
        await using var emulator = await StartAsync(o =>
        {
            Configure(o, time);
            o.Workers.Add(new Uri(Worker + "/"));
        });
        await ReportEveryAsync(emulator, time, TimeSpan.FromSeconds(1), count: 2);
        Assert.Equal([Worker], emulator.EligibleWorkers);

        time.Advance(TimeSpan.FromSeconds(5));

        Assert.Empty(emulator.EligibleWorkers);
        var worker = Assert.Single(emulator.Workers);
        Assert.True(worker.Registered);
        Assert.Equal(EmulatedWorkerState.Stale, worker.State);
    }

    [Fact]
    public async Task OnlyTheSilentWorker_GoesStale_RoutesGoToTheOther()
    {
        var time = new FakeTimeProvider();
        await using var emulator = await StartAsync(o => Configure(o, time));
        for (var i = 0; i < 3; i++)
        {
            await PostAsync(emulator, "/worker_status/", StatusBody(Worker, loadtime: 2, id: 1));
            await PostAsync(emulator, "/worker_status/", StatusBody("http://127.0.0.1:3001", loadtime: 2, id: 2));
            time.Advance(TimeSpan.FromSeconds(1));
        }

        for (var i = 0; i < 4; i++)
        {
            await PostAsync(emulator, "/worker_status/", StatusBody("http://127.0.0.1:3001", loadtime: 2, id: 2));
            time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(["http://127.0.0.1:3001"], emulator.EligibleWorkers);
        Assert.All(Enumerable.Range(0, 4).Select(_ => emulator.Route("local")), r => Assert.Equal("http://127.0.0.1:3001", r.Url));
    }

    [Fact]
    public async Task BadStaleSettings_Refused()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => StartAsync(o => o.StaleAfterMissedReports = 0));
        await Assert.ThrowsAsync<ArgumentException>(() => StartAsync(o => o.MinimumStaleAfter = TimeSpan.FromSeconds(-1)));
        await Assert.ThrowsAsync<ArgumentException>(() => StartAsync(o => o.DefaultReportInterval = TimeSpan.Zero));
        await Assert.ThrowsAsync<ArgumentException>(() => StartAsync(o => o.MaxRecordedEvents = 0));
    }

    private static void Configure(EmulatorOptions options, FakeTimeProvider time)
    {
        options.TimeProvider = time;
        options.MinimumStaleAfter = TimeSpan.FromSeconds(3);
    }

    /// <summary>Posts <paramref name="count"/> ready reports for <see cref="Worker"/>, <paramref name="interval"/> apart
    /// (the clock stops at the last one).</summary>
    private static async Task ReportEveryAsync(AutoscalerEmulator emulator, FakeTimeProvider time, TimeSpan interval, int count)
    {
        for (var i = 0; i < count; i++)
        {
            if (i > 0)
            {
                time.Advance(interval);
            }

            var reply = await PostAsync(emulator, "/worker_status/", StatusBody(Worker, loadtime: 2));
            Assert.Equal(System.Net.HttpStatusCode.OK, reply.Status);
        }
    }
}
