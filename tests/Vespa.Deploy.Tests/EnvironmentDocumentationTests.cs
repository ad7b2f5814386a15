using Vespa.Deploy.Tests.Support;
using Vespa.Worker.Options;

namespace Vespa.Deploy.Tests;

/// <summary>
/// Every <c>VESPA_*</c> variable that src/, scripts/*.sh or the Dockerfile reads is documented in a README table,
/// and every variable a README table documents is still read (README, "Configuration"). A variable added without
/// its row, or a row left behind by a removed variable, fails here with the files or the README line to fix.
/// </summary>
public sealed class EnvironmentDocumentationTests
{
    private static readonly string Readme = Path.Combine(RepositoryPaths.Root, "README.md");

    private readonly EnvironmentVariableScan _source = EnvironmentVariableScan.Load(RepositoryPaths.Root);
    private readonly ReadmeVariableTables _readme = ReadmeVariableTables.Load(Readme);

    [Fact]
    public void EveryVespaVariableTheSourceReads_IsInAReadmeTable()
    {
        var undocumented = _source.Variables
            .Where(v => !_readme.Variables.ContainsKey(v.Key))
            .Select(v => $"{v.Key} (read in {string.Join(", ", v.Value)})")
            .ToList();

        Assert.True(undocumented.Count == 0,
            "README.md documents no row for these variables; add each to a table's \"variable\" column (Configuration, "
            + "or the section it belongs to):\n" + string.Join('\n', undocumented));
    }

    [Fact]
    public void EveryVespaVariableInTheReadmeTables_IsStillRead()
    {
        var gone = _readme.Variables
            .Where(v => !_source.Variables.ContainsKey(v.Key))
            .Select(v => $"{v.Key} (README.md line {v.Value})")
            .ToList();

        Assert.True(gone.Count == 0,
            "README.md documents variables that nothing in src/, scripts/ or the Dockerfile reads any more; remove or "
            + "rename the rows:\n" + string.Join('\n', gone));
    }

    [Fact]
    public void ReadmeTables_SpellEveryVariableOut()
    {
        Assert.True(_readme.TableCount >= 3, $"found {_readme.TableCount} README tables with a variable column");
        Assert.True(_readme.Abbreviations.Count == 0,
            "write each variable's full name (a search for it must find its row):\n" + string.Join('\n', _readme.Abbreviations));
    }

    [Theory]
    [InlineData("VESPA_READY_TIMEOUT_RESUME", "src/Worker/Options/WorkerOptionsLoader.cs")] // env.Seconds("READY_TIMEOUT_RESUME")
    [InlineData("VESPA_BENCHMARK_TEST_STEPS", "src/Worker/Options/WorkerOptionsLoader.cs")] // ReadUnprefixedInt(env, "BENCHMARK_TEST_STEPS", …)
    [InlineData("VESPA_WORKER_HTTP_PORT", "src/Worker/Options/WorkerOptionsLoader.cs")] // EnvironmentReader.Names("WORKER_HTTP_PORT", …)
    [InlineData("VESPA_NATIVE_DIR", "src/Engine/Native/LlamaLibraryResolver.cs")] // a constant
    [InlineData("VESPA_INSTANCE", "src/Client/Configuration/ClientEnvironmentVariables.cs")]
    [InlineData("VESPA_SIGN_CERT_RETRIES", "scripts/start_server.sh")]
    [InlineData("VESPA_WORKER_BIN", "Dockerfile")]
    public void Scan_FindsEachFormOfRead(string variable, string file)
    {
        Assert.True(_source.Variables.TryGetValue(variable, out var files), $"the scan misses {variable}");
        Assert.Contains(file, files);
    }

    [Fact]
    public void Scan_FindsNoPrefixAlone()
    {
        // VESPA_{name} and VESPA_<NAME> in the sources are the prefix, not a variable.
        Assert.DoesNotContain(_source.Variables.Keys, name => name.EndsWith('_') || name == "VESPA");
    }

    /// <summary>
    /// The worker's options loader is run against environments that record what it looks up, so a reader form the
    /// source scan does not know (a new helper around <c>EnvironmentReader</c>) fails here instead of letting its
    /// variables go unchecked.
    /// </summary>
    [Fact]
    public void Scan_FindsEveryVespaVariableTheWorkerOptionsLoaderLooksUp()
    {
        Dictionary<string, string>[] environments =
        [
            [],
            new(StringComparer.Ordinal)
            {
                ["CONTAINER_ID"] = "12345",
                ["REPORT_ADDR"] = "http://127.0.0.1:9",
                ["MASTER_TOKEN"] = "token",
                ["PUBLIC_IPADDR"] = "127.0.0.1",
                ["VAST_TCP_PORT_3000"] = "3000",
                ["VESPA_USE_SSL"] = "true",
                ["VESPA_NVML_INTERVAL"] = "0",
                ["VESPA_DELETE_REQUESTS_SHAPE"] = "a",
            },
        ];
        var lookedUp = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var values in environments)
        {
            var environment = new RecordingEnvironment(values);
            try
            {
                WorkerOptionsLoader.Load(environment);
            }
            catch (WorkerOptionsException)
            {
                // What it looked up before it refused the values still counts.
            }

            lookedUp.UnionWith(environment.LookedUp.Where(name => name.StartsWith("VESPA_", StringComparison.Ordinal)));
        }

        Assert.Contains("VESPA_DRAIN_TIMEOUT", lookedUp);
        Assert.Contains("VESPA_MAX_COST", lookedUp);
        Assert.All(lookedUp, name => Assert.True(_source.Variables.ContainsKey(name), $"the worker reads {name} but the source scan does not find it"));
    }
}
