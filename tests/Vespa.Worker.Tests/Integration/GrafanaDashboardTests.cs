using System.Net;
using System.Text.Json.Nodes;
using Vespa.Emulator;
using Vespa.Testing;
using Vespa.Worker.Metrics.Gpu;
using Vespa.Worker.Tests.Infrastructure;

namespace Vespa.Worker.Tests.Integration;

/// <summary>
/// docs/grafana/vespa-worker.json against the real worker: every series it queries exists on <c>/metrics</c> with the
/// labels and label values it selects, every metric the worker exports is on it (or deliberately left off), and it
/// imports as is.
/// </summary>
public sealed class GrafanaDashboardTests
{
    /// <summary>Grafana 12's dashboard schema (<c>schemaVersion</c> 41); newer Grafana migrates it on import.</summary>
    private const int SchemaVersion = 41;

    /// <summary>Labels Prometheus adds to every scraped series.</summary>
    private static readonly HashSet<string> TargetLabels = ["instance", "job"];

    /// <summary>Worker metrics deliberately left off the dashboard, with the reason.</summary>
    private static readonly Dictionary<string, string> NotOnTheDashboard = new(StringComparer.Ordinal)
    {
        ["vespa_worker_gc_committed_bytes"] = "process health for leak hunting (perf/soak samples it); the container's memory panel belongs to the platform",
        ["vespa_worker_gc_heap_bytes"] = "process health for leak hunting (perf/soak samples it)",
    };

    [Fact]
    public async Task Dashboard_EveryQueriedWorkerSeries_ExistsOnTheRealWorkersMetrics()
    {
        var dashboard = GrafanaDashboard.Load();
        await using var h = await ReportingHarness.StartAsync(settings: ("VESPA_IDLE_TIMEOUT", "0.5"));
        var samples = await ProduceEveryOutcomeAsync(h);

        var problems = new List<string>();
        foreach (var query in dashboard.Queries)
        {
            var selectors = GrafanaDashboard.Selectors(query).ToList();
            foreach (var (metric, matchers) in selectors.Where(s => s.Metric.StartsWith("vespa_worker_", StringComparison.Ordinal)))
            {
                var series = samples.Where(s => s.Name == metric).ToList();
                if (series.Count == 0)
                {
                    problems.Add($"{metric} is not on /metrics (query: {query})");
                    continue;
                }

                foreach (var (label, op, value) in matchers.Where(m => !TargetLabels.Contains(m.Label)))
                {
                    var values = series.Select(s => s.Labels.GetValueOrDefault(label)).OfType<string>().ToHashSet();
                    if (values.Count == 0)
                    {
                        problems.Add($"{metric} has no label {label} (query: {query})");
                    }
                    else if (op is "=" or "=~" && ExpectedValues(op, value).FirstOrDefault(v => !values.Contains(v)) is { } missing)
                    {
                        problems.Add($"{metric} never has {label}=\"{missing}\" (it has {string.Join(", ", values)}; query: {query})");
                    }
                }
            }

            var labelsInQuery = selectors.SelectMany(s => LabelsOf(s.Metric, samples)).ToHashSet();
            foreach (var label in GrafanaDashboard.GroupingLabels(query).Where(l => !TargetLabels.Contains(l) && !labelsInQuery.Contains(l)))
            {
                problems.Add($"grouping by {label}, which none of its series has (query: {query})");
            }
        }

        Assert.True(problems.Count == 0, "The dashboard queries what the worker does not export:\n" + string.Join("\n", problems));
    }

    [Fact]
    public void Dashboard_EveryQueriedGpuSeries_IsOneTheNvmlCollectorDeclares()
    {
        // The vespa_gpu_* series exist only where NVML finds a GPU; GpuMetricsTests shows each declared name on a
        // worker's /metrics with the fake NVML library.
        var dashboard = GrafanaDashboard.Load();
        var gpu = dashboard.Queries.SelectMany(GrafanaDashboard.Selectors).Where(s => s.Metric.StartsWith("vespa_gpu_", StringComparison.Ordinal)).ToList();

        Assert.NotEmpty(gpu);
        Assert.All(gpu, s =>
        {
            Assert.Contains(s.Metric, GpuMetrics.Names);
            Assert.All(s.Matchers.Where(m => !TargetLabels.Contains(m.Label)), m => Assert.Contains(m.Label, GpuMetrics.LabelNames));
        });
        Assert.Equal(GpuMetrics.Names.Order(), gpu.Select(s => s.Metric).Distinct().Order()); // and every GPU metric is shown
    }

    [Fact]
    public async Task Dashboard_ShowsEveryMetricTheWorkerExports()
    {
        var dashboard = GrafanaDashboard.Load();
        await using var h = await ReportingHarness.StartAsync();
        var text = await h.Worker.Client.GetStringAsync("/metrics").DefaultTimeout();
        var families = text.Split('\n')
            .Where(l => l.StartsWith("# TYPE vespa_worker_", StringComparison.Ordinal))
            .Select(l => l.Split(' ')[2])
            .ToList();
        var queried = dashboard.Queries.SelectMany(GrafanaDashboard.Selectors).Select(s => s.Metric).ToHashSet();

        var missing = families
            .Where(f => !NotOnTheDashboard.ContainsKey(f))
            .Where(f => !queried.Contains(f) && !queried.Contains(f + "_bucket") && !queried.Contains(f + "_sum") && !queried.Contains(f + "_count"))
            .ToList();

        Assert.NotEmpty(families);
        Assert.True(missing.Count == 0, $"Exported but neither on docs/grafana/vespa-worker.json nor in {nameof(GrafanaDashboardTests)}.{nameof(NotOnTheDashboard)}: {string.Join(", ", missing)}");
    }

    [Fact]
    public void Dashboard_ImportsAsIs_DataSourceAndInstanceVariables()
    {
        var dashboard = GrafanaDashboard.Load();
        var root = dashboard.Root;

        Assert.Equal(SchemaVersion, root["schemaVersion"]!.GetValue<int>());
        Assert.Null(root["id"]);
        Assert.False(string.IsNullOrWhiteSpace(root["uid"]?.GetValue<string>()));
        Assert.False(string.IsNullOrWhiteSpace(root["title"]?.GetValue<string>()));
        // No import-time inputs: the data source is a variable, so file provisioning works too.
        Assert.Null(root["__inputs"]);
        Assert.DoesNotContain("${DS_", root.ToJsonString(), StringComparison.Ordinal);

        var datasource = Assert.Single(dashboard.Variables, v => (string?)v["name"] == "datasource");
        Assert.Equal("datasource", (string?)datasource["type"]);
        Assert.Equal("prometheus", (string?)datasource["query"]);
        var instance = Assert.Single(dashboard.Variables, v => (string?)v["name"] == "instance");
        Assert.Equal("query", (string?)instance["type"]);
        AssertUsesVariable(instance["datasource"]);
        Assert.True(instance["multi"]!.GetValue<bool>());
        Assert.True(instance["includeAll"]!.GetValue<bool>());
    }

    [Fact]
    public void Dashboard_EveryPanel_UsesTheVariablesAndHasItsOwnPlace()
    {
        var dashboard = GrafanaDashboard.Load();
        var panels = dashboard.Panels.ToList();
        var required = dashboard.Root["__requires"]!.AsArray().Where(r => (string?)r!["type"] == "panel").Select(r => (string)r!["id"]!).ToHashSet();

        Assert.Equal(panels.Count, panels.Select(p => p["id"]!.GetValue<int>()).Distinct().Count());
        var occupied = new HashSet<(int X, int Y)>();
        foreach (var panel in panels)
        {
            var title = (string)panel["title"]!;
            var type = (string)panel["type"]!;
            var grid = panel["gridPos"]!;
            int x = (int)grid["x"]!, y = (int)grid["y"]!, w = (int)grid["w"]!, h = (int)grid["h"]!;
            Assert.True(w > 0 && h > 0 && x >= 0 && x + w <= 24, $"{title}: gridPos outside the 24-column grid");
            for (var i = x; i < x + w; i++)
            {
                for (var j = y; j < y + h; j++)
                {
                    Assert.True(occupied.Add((i, j)), $"{title} overlaps another panel at ({i}, {j})");
                }
            }

            if (type == "row")
            {
                continue;
            }

            Assert.Contains(type, required);
            AssertUsesVariable(panel["datasource"]);
            var targets = panel["targets"]!.AsArray();
            Assert.NotEmpty(targets);
            Assert.Equal(targets.Count, targets.Select(t => (string)t!["refId"]!).Distinct().Count());
            foreach (var target in targets)
            {
                AssertUsesVariable(target!["datasource"]);
                var expr = (string)target["expr"]!;
                Assert.All(GrafanaDashboard.Selectors(expr), s => Assert.Contains(("instance", "=~", "$instance"), s.Matchers));
            }
        }
    }

    /// <summary>Traffic that gives every series the dashboard selects a value: success, backend 5xx, a backend that
    /// stays silent past the idle timeout, a forged signature, and one failed autoscaler post.</summary>
    private static async Task<IReadOnlyList<PrometheusSample>> ProduceEveryOutcomeAsync(ReportingHarness h)
    {
        h.Emulator.Faults.FailNext(EmulatorOperation.WorkerStatus, 1, 500);
        using (var ok = await h.PostAsync("/v1/echo", h.Route(10, 1)).DefaultTimeout())
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        using (var backendError = await h.PostAsync("/status/500", h.Route(10, 2)).DefaultTimeout())
        {
            Assert.Equal(HttpStatusCode.InternalServerError, backendError.StatusCode);
        }

        using (var idle = await h.PostAsync("/hang", h.Route(10, 3)).DefaultTimeout())
        {
            Assert.Equal(HttpStatusCode.GatewayTimeout, idle.StatusCode); // VESPA_IDLE_TIMEOUT: a failed forward
        }

        var forged = TestAutoscalerKey.Other.Sign("http://127.0.0.1:1", costToken: "5", requestIdx: 666);
        using (var refused = await h.PostAsync("/v1/echo", forged).DefaultTimeout())
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        var deadline = DateTime.UtcNow + TaskTimeoutExtensions.Timeout;
        while (true)
        {
            var text = await h.Worker.Client.GetStringAsync("/metrics").DefaultTimeout();
            var samples = PrometheusSample.Parse(text);
            if (samples.Any(s => s.Name == "vespa_worker_requests_total" && s.Labels["outcome"] == "failed")
                && samples.Any(s => s.Name == "vespa_worker_autoscaler_reports_total" && s.Labels["result"] == "failure")
                && samples.Any(s => s.Name == "vespa_worker_autoscaler_reports_total" && s.Labels["endpoint"] == "delete_requests"))
            {
                return samples;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("Timed out waiting for a failed request, a failed post and a delete report on /metrics:\n" + text);
            }

            await Task.Delay(20);
        }
    }

    private static string[] ExpectedValues(string op, string value) =>
        op == "=" ? [value]
        : value.All(c => char.IsAsciiLetterLower(c) || c is '_' or '|') ? value.Split('|') // a plain alternation
        : [];

    private static IEnumerable<string> LabelsOf(string metric, IReadOnlyList<PrometheusSample> samples) =>
        metric.StartsWith("vespa_gpu_", StringComparison.Ordinal)
            ? GpuMetrics.LabelNames
            : samples.Where(s => s.Name == metric).SelectMany(s => s.Labels.Keys);

    private static void AssertUsesVariable(JsonNode? datasource)
    {
        Assert.NotNull(datasource);
        Assert.Equal("prometheus", (string?)datasource["type"]);
        Assert.Equal("${datasource}", (string?)datasource["uid"]);
    }
}
