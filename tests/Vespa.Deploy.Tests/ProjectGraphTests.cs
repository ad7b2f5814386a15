using Vespa.Deploy.Tests.Support;

namespace Vespa.Deploy.Tests;

/// <summary>
/// The project graph is one-way (README, "Layout"): Core at the bottom; Worker, Client, Emulator, Engine and Benchmarks
/// above it; each test project references what it tests plus the shared kit (tests/Vespa.Testing); nothing under src/
/// or perf/ references anything under tests/; internals are shown only to a project's own tests. Read from the .csproj
/// files, so a reference added in the wrong direction fails here, not in a later untangling.
/// </summary>
public sealed class ProjectGraphTests
{
    private const string Kit = "tests/Vespa.Testing/Vespa.Testing.csproj";

    /// <summary>The allowed references of each shipped project. A new project under src/ must be added here, on purpose.</summary>
    private static readonly Dictionary<string, string[]> AllowedSourceReferences = new(StringComparer.Ordinal)
    {
        ["src/Core/Vespa.Core.csproj"] = [],
        ["src/Engine/Vespa.Engine.csproj"] = [Src("Core")],
        ["src/Benchmarks/Vespa.Benchmarks.csproj"] = [Src("Core")],
        ["src/Worker/Vespa.Worker.csproj"] = [Src("Core"), Src("Engine"), Src("Benchmarks")],
        ["src/Emulator/Vespa.Emulator.csproj"] = [Src("Core")],
        ["src/Client/Vespa.Client.csproj"] = [Src("Core"), Src("Emulator")],
    };

    /// <summary>Assemblies a shipped project may show its internals to besides its own test project (never another
    /// project's tests: they would test through a back door).</summary>
    private static readonly Dictionary<string, string[]> ExtraInternalsVisibleTo = new(StringComparer.Ordinal)
    {
        // TestWorker (in the kit) waits on the worker's readiness and key state; perf/Micro measures the request path
        // step by step with the worker's own classes.
        ["src/Worker/Vespa.Worker.csproj"] = ["Vespa.Testing", "Vespa.Perf.Micro"],
        // The worker reads the engine's own metrics; the engine benchmark drives the engine below its HTTP API; the
        // worker's engine-failure test kills the inference loop through the scheduler's BeforeStep fault seam.
        ["src/Engine/Vespa.Engine.csproj"] = ["vespa-worker", "Vespa.Perf.EngineBench", "Vespa.Worker.Tests"],
    };

    private readonly ProjectGraph _graph = ProjectGraph.Load(RepositoryPaths.Root);

    [Fact]
    public void Graph_FindsEveryArea()
    {
        Assert.Contains(Src("Core"), _graph.Projects.Keys);
        Assert.Contains(Src("Emulator"), _graph.Projects.Keys);
        Assert.Contains(Kit, _graph.Projects.Keys);
        Assert.Contains(_graph.Projects.Values, p => p.Area == "perf");
    }

    [Fact]
    public void NoProjectUnderSrcOrPerf_ReferencesAnythingUnderTests()
    {
        var wrong = _graph.Projects.Values
            .Where(p => p.Area is "src" or "perf")
            .SelectMany(p => p.References.Where(r => r.Path.StartsWith("tests/", StringComparison.Ordinal)).Select(r => $"{p.Path} -> {r.Path}"))
            .ToList();

        Assert.True(wrong.Count == 0, "src/ and perf/ must not reference tests/: " + string.Join(", ", wrong));
    }

    [Fact]
    public void NoProject_ReferencesATestProject()
    {
        var wrong = _graph.Projects.Values
            .SelectMany(p => p.References
                .Where(r => _graph.Projects.TryGetValue(r.Path, out var target) && target.IsTestProject)
                .Select(r => $"{p.Path} -> {r.Path}"))
            .ToList();

        Assert.True(wrong.Count == 0, "test projects are leaves: " + string.Join(", ", wrong));
    }

    [Fact]
    public void Core_ReferencesNoOtherProject()
    {
        Assert.Empty(_graph[Src("Core")].References);
    }

    [Fact]
    public void SourceProjects_ReferenceOnlyTheAllowedProjects()
    {
        var sources = _graph.Projects.Values.Where(p => p.Area == "src").ToList();

        Assert.All(sources, project =>
        {
            Assert.True(AllowedSourceReferences.TryGetValue(project.Path, out var allowed), $"{project.Path} is new: add its allowed references to {nameof(AllowedSourceReferences)}");
            var extra = project.References.Select(r => r.Path).Except(allowed!).ToList();
            Assert.True(extra.Count == 0, $"{project.Path} must not reference {string.Join(", ", extra)}");
        });
    }

    [Fact]
    public void Graph_HasNoCycle()
    {
        var cycle = _graph.FindCycle();

        Assert.True(cycle is null, "reference cycle: " + string.Join(" -> ", cycle ?? []));
    }

    [Fact]
    public void TestProjects_ReferenceWhatTheyTestPlusTheKit()
    {
        var tests = _graph.Projects.Values.Where(p => p.IsTestProject).ToList();

        Assert.NotEmpty(tests);
        Assert.All(tests, project =>
        {
            Assert.Equal("tests", project.Area);
            var subject = Subject(project);
            Assert.True(_graph.Projects.ContainsKey(subject), $"{project.Path}: the project it tests, {subject}, does not exist");
            var assemblies = project.References.Where(r => r.ReferencesAssembly).Select(r => r.Path).ToList();
            Assert.Contains(subject, assemblies);
            var extra = assemblies.Except([subject, Kit]).ToList();
            Assert.True(extra.Count == 0, $"{project.Path} references {string.Join(", ", extra)}: a test project references what it tests plus the kit");
            // Build-order-only references (the benchmark test plugin, loaded at run time) must stay under tests/.
            Assert.All(project.References.Where(r => !r.ReferencesAssembly), r => Assert.StartsWith("tests/", r.Path, StringComparison.Ordinal));
        });
    }

    [Fact]
    public void TheKit_ReferencesSourceProjectsOnly()
    {
        Assert.All(_graph[Kit].References, r => Assert.StartsWith("src/", r.Path, StringComparison.Ordinal));
    }

    [Fact]
    public void SourceProjects_ShowInternalsOnlyToTheirOwnTests()
    {
        var assemblies = _graph.Projects.Values.Select(p => p.AssemblyName).ToHashSet(StringComparer.Ordinal);

        Assert.All(_graph.Projects.Values.Where(p => p.Area == "src"), project =>
        {
            var own = "Vespa." + project.Folder["src/".Length..] + ".Tests";
            var allowed = ExtraInternalsVisibleTo.GetValueOrDefault(project.Path, []).Append(own).ToHashSet(StringComparer.Ordinal);
            Assert.All(project.InternalsVisibleTo, name =>
            {
                Assert.True(allowed.Contains(name), $"{project.Path} shows its internals to {name}; only {own} may see them");
                Assert.True(assemblies.Contains(name), $"{project.Path}: InternalsVisibleTo {name} names no assembly in the repository (stale)");
            });
        });
    }

    [Fact]
    public void Solution_ListsEveryProject_AndNoOther()
    {
        var solution = File.ReadAllLines(Path.Combine(RepositoryPaths.Root, "Vespa.sln"))
            .Where(line => line.StartsWith("Project(", StringComparison.Ordinal))
            .Select(line => line.Split(',')[1].Trim().Trim('"').Replace('\\', '/'))
            .Where(path => path.EndsWith(".csproj", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.Equal(_graph.Projects.Keys.Order(StringComparer.Ordinal), solution);
    }

    /// <summary>What a test project tests: <c>tests/Vespa.X.Tests</c> tests <c>src/X</c>; the deployment tests test the
    /// worker as it is deployed (start_server.sh runs it, the TLS tests host it).</summary>
    private static string Subject(ProjectFile testProject)
    {
        var name = Path.GetFileNameWithoutExtension(testProject.Path);
        var area = name["Vespa.".Length..^".Tests".Length];
        return Src(area == "Deploy" ? "Worker" : area);
    }

    private static string Src(string name) => $"src/{name}/Vespa.{name}.csproj";
}
