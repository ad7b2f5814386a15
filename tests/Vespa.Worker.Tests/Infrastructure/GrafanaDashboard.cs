using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Vespa.Worker.Tests.Infrastructure;

/// <summary>
/// docs/grafana/vespa-worker.json as the tests read it (the project copies it to its output): the panels, the
/// PromQL of every query, and the <c>vespa_*</c> selectors inside it.
/// </summary>
internal sealed partial class GrafanaDashboard
{
    private GrafanaDashboard(JsonObject root)
    {
        Root = root;
    }

    public JsonObject Root { get; }

    /// <summary>Every panel, row panels and the panels inside collapsed rows included.</summary>
    public IEnumerable<JsonObject> Panels => Flatten(Root["panels"]!.AsArray());

    /// <summary>Every query the dashboard runs: panel targets and template-variable queries.</summary>
    public IEnumerable<string> Queries =>
        Panels.SelectMany(p => p["targets"]?.AsArray() ?? []).Select(t => (string)t!["expr"]!)
            .Concat(Variables.Select(v => v["definition"]?.GetValue<string>()).OfType<string>());

    public IEnumerable<JsonObject> Variables => Root["templating"]!["list"]!.AsArray().Select(v => v!.AsObject());

    public static GrafanaDashboard Load()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Grafana", "vespa-worker.json");
        Assert.True(File.Exists(path), $"{path} is missing: the test project copies docs/grafana/vespa-worker.json to its output.");
        return new GrafanaDashboard(JsonNode.Parse(File.ReadAllText(path))!.AsObject());
    }

    /// <summary>The <c>vespa_*</c> series named in <paramref name="query"/>, each with its label matchers.</summary>
    public static IEnumerable<(string Metric, IReadOnlyList<(string Label, string Operator, string Value)> Matchers)> Selectors(string query)
    {
        foreach (Match selector in SelectorRegex().Matches(query))
        {
            var matchers = MatcherRegex().Matches(selector.Groups["matchers"].Value)
                .Select(m => (m.Groups["label"].Value, m.Groups["op"].Value, m.Groups["value"].Value))
                .ToList();
            yield return (selector.Groups["metric"].Value, matchers);
        }
    }

    /// <summary>The labels of every <c>by (…)</c> clause in <paramref name="query"/>.</summary>
    public static IEnumerable<string> GroupingLabels(string query) =>
        ByRegex().Matches(query).SelectMany(m => m.Groups["labels"].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));

    private static IEnumerable<JsonObject> Flatten(JsonArray panels)
    {
        foreach (var panel in panels.Select(p => p!.AsObject()))
        {
            yield return panel;
            if (panel["panels"] is JsonArray nested)
            {
                foreach (var inner in Flatten(nested))
                {
                    yield return inner;
                }
            }
        }
    }

    [GeneratedRegex(@"(?<metric>\bvespa_[a-z0-9_]+)\s*(\{(?<matchers>[^}]*)\})?")]
    private static partial Regex SelectorRegex();

    [GeneratedRegex(@"(?<label>[a-zA-Z_][a-zA-Z0-9_]*)\s*(?<op>=~|!~|!=|=)\s*""(?<value>(?:[^""\\]|\\.)*)""")]
    private static partial Regex MatcherRegex();

    [GeneratedRegex(@"\bby\s*\((?<labels>[^)]*)\)")]
    private static partial Regex ByRegex();
}
