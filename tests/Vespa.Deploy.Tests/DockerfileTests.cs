using System.Text.RegularExpressions;
using Vespa.Deploy.Tests.Support;

namespace Vespa.Deploy.Tests;

/// <summary>
/// No Docker engine runs the tests, so the image is not built here (docs/deploy.md says how). What can be
/// checked is that everything the Dockerfile refers to exists and fits: the build-context files it copies
/// (and that .dockerignore lets them through), the stages it copies from, the fetch script's flags, the
/// projects it publishes, the build properties and environment variables it sets.
/// </summary>
public sealed partial class DockerfileTests
{
    private readonly DockerfileModel _dockerfile = DockerfileModel.Load(RepositoryPaths.Dockerfile);
    private readonly DockerIgnore _ignore = new(RepositoryPaths.DockerIgnore);

    [Fact]
    public void CopiesFromTheBuildContext_NameFilesThatExist_AndThatDockerignoreLetsThrough()
    {
        var sources = _dockerfile.Copies().Where(c => c.From is null).SelectMany(c => c.Sources).ToList();

        Assert.NotEmpty(sources);
        Assert.All(sources, source =>
        {
            var path = Path.Combine(RepositoryPaths.Root, source);
            Assert.True(File.Exists(path) || Directory.Exists(path), $"COPY source {source} is not in the repository");
            Assert.False(_ignore.IsExcluded(source), $"COPY source {source} is excluded by .dockerignore");
        });
    }

    [Fact]
    public void Dockerignore_KeepsBuildOutputsAndLocalNativesOutOfTheContext()
    {
        Assert.True(_ignore.IsExcluded("src/Worker/bin/Release/net10.0/vespa-worker.dll"));
        Assert.True(_ignore.IsExcluded("src/Engine/obj/project.assets.json"));
        Assert.True(_ignore.IsExcluded("native/linux-x64/libllama.v0.5.0.so"));
        Assert.True(_ignore.IsExcluded(".git/config"));
        Assert.False(_ignore.IsExcluded("src/Worker/Program.cs"));
    }

    [Fact]
    public void CopiesFromStages_NameStagesDefinedBefore()
    {
        var stages = _dockerfile.StageNames;

        Assert.All(_dockerfile.Copies().Where(c => c.From is not null), copy => Assert.Contains(copy.From, stages));
    }

    [Fact]
    public async Task FetchScriptInvocations_UseFlagsTheScriptAccepts()
    {
        var invocations = _dockerfile.ScriptInvocations("fetch-llama-native.sh").ToList();

        Assert.Contains(invocations, args => args.Length == 1);
        Assert.Contains(invocations, args => args.Contains("--cuda"));
        Assert.Contains(invocations, args => args.Contains("--cuda-fallback"));
        foreach (var args in invocations)
        {
            // The script parses every argument before acting on --help, so this checks the flags offline.
            var result = await ScriptProcess.RunAsync(RepositoryPaths.FetchNativeScript, Path.GetTempPath(), new Dictionary<string, string>(), [.. args, "--help"]);
            Assert.True(result.ExitCode == 0, $"fetch-llama-native.sh {string.Join(' ', args)}: {result}");
            Assert.Equal("/native", args[^1]);
        }

        Assert.Contains(_dockerfile.Copies(), c => c.From == "natives" && c.Sources.SequenceEqual(["/native"]) && c.Destination == "/app/native");
    }

    [Fact]
    public void PublishedAndRestoredProjects_Exist()
    {
        var projects = _dockerfile.Instructions.Where(i => i.Keyword == "RUN")
            .SelectMany(i => DotnetProject().Matches(i.Arguments))
            .Select(m => m.Groups["project"].Value)
            .ToList();

        Assert.Contains("src/Worker/Vespa.Worker.csproj", projects);
        Assert.Contains("src/Client/Vespa.Client.csproj", projects);
        Assert.All(projects, project => Assert.True(File.Exists(Path.Combine(RepositoryPaths.Root, project)), project));
    }

    [Fact]
    public void Build_PublishesNativeAotExecutablesWithThePublishScript_RuntimesCarryNoDotnet()
    {
        var publish = Assert.Single(_dockerfile.Instructions, i => i.Keyword == "RUN" && i.Arguments.Contains("scripts/publish.sh", StringComparison.Ordinal));
        Assert.Contains("--out /app", publish.Arguments, StringComparison.Ordinal);
        Assert.Contains(_dockerfile.Copies(), c => c.From is null && c.Sources.SequenceEqual(["scripts/publish.sh"]));

        // The script publishes both executables with Native AOT for linux-x64, warnings as errors.
        var script = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "scripts", "publish.sh"));
        Assert.Contains("-p:PublishAot=true", script, StringComparison.Ordinal);
        Assert.Contains("-r linux-x64", script, StringComparison.Ordinal);
        Assert.Contains("-p:IlcTreatWarningsAsErrors=true", script, StringComparison.Ordinal);
        Assert.Contains("src/Worker/Vespa.Worker.csproj", script, StringComparison.Ordinal);
        Assert.Contains("src/Client/Vespa.Client.csproj", script, StringComparison.Ordinal);

        // The restore layer restores for the same runtime, so the ILCompiler packages are cached with it.
        Assert.All(_dockerfile.Instructions.Where(i => i.Keyword == "RUN" && i.Arguments.Contains("dotnet restore", StringComparison.Ordinal)),
            restore => Assert.Contains("-r linux-x64 -p:PublishAot=true", restore.Arguments, StringComparison.Ordinal));

        // Nothing at run time needs a .NET runtime: no aspnet image, no dotnet on the path.
        Assert.DoesNotContain(_dockerfile.Instructions, i => i.Keyword == "FROM" && i.Arguments.Contains("dotnet/aspnet", StringComparison.Ordinal));
        Assert.DoesNotContain(_dockerfile.Instructions, i => i.Keyword == "RUN" && i.Arguments.Contains("/usr/bin/dotnet", StringComparison.Ordinal));
    }

    [Fact]
    public void RestoreLayer_CopiesTheProjectFileOfEveryProjectItRestores()
    {
        var restore = _dockerfile.Instructions.ToList().FindIndex(i => i.Keyword == "RUN" && i.Arguments.Contains("dotnet restore", StringComparison.Ordinal));
        Assert.True(restore > 0, "no RUN dotnet restore");
        var copied = _dockerfile.Instructions.Take(restore)
            .Where(i => i.Keyword == "COPY")
            .SelectMany(i => i.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries).SkipLast(1))
            .Where(source => source.EndsWith(".csproj", StringComparison.Ordinal))
            .ToHashSet(StringComparer.Ordinal);
        var graph = ProjectGraph.Load(RepositoryPaths.Root);
        var restored = DotnetProject().Matches(_dockerfile.Instructions[restore].Arguments).Select(m => m.Groups["project"].Value).ToList();

        Assert.NotEmpty(restored);
        Assert.All(restored.SelectMany(graph.Closure).Distinct(), project =>
            Assert.True(copied.Contains(project), $"the restore layer needs {project} (a restored project references it) but no COPY before the restore brings it"));
    }

    [Fact]
    public void VespaBuildProperties_AreDefinedByTheProjects()
    {
        var properties = _dockerfile.Instructions.SelectMany(i => BuildProperty().Matches(i.Arguments)).Select(m => m.Groups["name"].Value).ToList();
        var engine = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "src", "Engine", "Vespa.Engine.csproj"));

        Assert.Contains("VespaSkipNativeFetch", properties);
        Assert.All(properties.Where(p => p.StartsWith("Vespa", StringComparison.Ordinal)), p => Assert.Contains($"$({p})", engine, StringComparison.Ordinal));
    }

    [Fact]
    public void EnvironmentVariables_SetForVespa_AreReadBySomething()
    {
        var names = _dockerfile.Instructions.Where(i => i.Keyword == "ENV")
            .SelectMany(i => EnvName().Matches(i.Arguments))
            .Select(m => m.Groups["name"].Value)
            .Where(n => n.StartsWith("VESPA_", StringComparison.Ordinal) || n.StartsWith("LLAMA_", StringComparison.Ordinal))
            .ToList();
        var readers = string.Join('\n', Directory.EnumerateFiles(Path.Combine(RepositoryPaths.Root, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains("/obj/", StringComparison.Ordinal))
            .Append(RepositoryPaths.StartServerScript)
            .Select(File.ReadAllText));

        Assert.Contains("LLAMA_NATIVE_DIR", names);
        Assert.All(names, name => Assert.Matches($"(?<![A-Za-z0-9_]){name}(?![A-Za-z0-9_])", readers));
    }

    [Fact]
    public void Entrypoint_IsTheCopiedStartScript()
    {
        var entrypoint = Assert.Single(_dockerfile.Instructions, i => i.Keyword == "ENTRYPOINT");

        Assert.Equal("[\"/app/scripts/start_server.sh\"]", entrypoint.Arguments);
        Assert.Contains(_dockerfile.Copies(), c => c.From is null
            && c.Sources.SequenceEqual(["scripts/start_server.sh"])
            && c.Destination == "/app/scripts/start_server.sh");
        Assert.True(OperatingSystem.IsWindows() || File.GetUnixFileMode(RepositoryPaths.StartServerScript).HasFlag(UnixFileMode.UserExecute));
    }

    [GeneratedRegex(@"dotnet (?:restore|publish) (?<project>\S+\.csproj)")]
    private static partial Regex DotnetProject();

    [GeneratedRegex(@"-p:(?<name>[A-Za-z_][A-Za-z0-9_]*)=")]
    private static partial Regex BuildProperty();

    [GeneratedRegex(@"(?:^|\s)(?<name>[A-Z_][A-Z0-9_]*)=")]
    private static partial Regex EnvName();
}
