using System.Diagnostics;
using System.Text.Json;
using Vespa.Testing;
using Vespa.Worker.Options;
using Vespa.Worker.Reporting;

namespace Vespa.Worker.Tests.Unit;

/// <summary>
/// One <c>USE_SSL</c> rule: the worker's options, its launch-failure beacon and scripts/start_server.sh read the same
/// variables in the same order with the same strtobool, so the beacon's <c>url</c> never disagrees with the worker's.
/// </summary>
public sealed class UseSslRuleTests
{
    public static TheoryData<string[], bool?> Cases => new()
    {
        { ["VESPA_USE_SSL=true"], true },
        { ["VESPA_USE_SSL= off "], false },
        { ["PYWORKER_USE_SSL=yes"], true },
        { ["USE_SSL=1"], true },
        { ["USE_SSL=TRUE"], true },
        { ["USE_SSL=n"], false },
        { ["VESPA_USE_SSL=false", "USE_SSL=true"], false },
        { ["VESPA_USE_SSL=  ", "PYWORKER_USE_SSL=on"], true },
        { ["PYWORKER_USE_SSL=0", "USE_SSL=1"], false },
        { ["USE_SSL=maybe"], null },
        { ["VESPA_USE_SSL=tr ue"], null },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task WorkerBeaconAndStartScript_Agree(string[] variables, bool? expected)
    {
        var environment = variables.Select(v => v.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);

        Assert.Equal(expected, Worker(environment));
        Assert.Equal(expected ?? false, Beacon(environment)); // a value the worker refuses: the beacon reports plain http
        Assert.Equal(expected, await StartScriptAsync(environment));
    }

    [Fact]
    public async Task Unset_WorkerServesHttp_StartScriptTurnsTlsOnAndExportsIt()
    {
        var environment = new Dictionary<string, string>();

        Assert.False(Worker(environment));
        Assert.False(Beacon(environment));
        Assert.True(await StartScriptAsync(environment)); // then VESPA_USE_SSL=true is what the worker and beacon see
    }

    private static bool? Worker(Dictionary<string, string> environment)
    {
        try
        {
            return WorkerOptionsLoader.Load(environment).UseSsl;
        }
        catch (WorkerOptionsException ex)
        {
            Assert.Contains("USE_SSL", ex.Message, StringComparison.Ordinal);
            return null;
        }
    }

    private static bool Beacon(Dictionary<string, string> environment)
    {
        var withUrl = new Dictionary<string, string>(environment) { ["PUBLIC_IPADDR"] = "203.0.113.7", ["VAST_TCP_PORT_3000"] = "41234" };
        using var body = JsonDocument.Parse(LaunchFailureBeacon.Body(withUrl, "x"));
        var url = body.RootElement.GetProperty("url").GetString()!;
        return url.StartsWith("https://", StringComparison.Ordinal);
    }

    /// <summary>Runs the real script up to its TLS decision: "TLS is off" (then it execs /bin/true), or TLS on (it fails without CONTAINER_ID), or a refused value.</summary>
    private static async Task<bool?> StartScriptAsync(Dictionary<string, string> environment)
    {
        var home = Directory.CreateTempSubdirectory("vespa-usessl-").FullName;
        try
        {
            var start = new ProcessStartInfo("bash") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
            start.ArgumentList.Add(StartScript);
            start.Environment.Clear();
            start.Environment["PATH"] = Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin";
            start.Environment["HOME"] = home;
            start.Environment["TMPDIR"] = home;
            start.Environment["VESPA_ENV_FILE"] = Path.Combine(home, "environment");
            start.Environment["VESPA_WORKER_BIN"] = "/bin/true";
            foreach (var (name, value) in environment)
            {
                start.Environment[name] = value;
            }

            using var process = Process.Start(start)!;
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync().DefaultTimeout();
            var log = await stderr + await stdout;
            if (log.Contains("TLS is off", StringComparison.Ordinal))
            {
                return false;
            }

            if (log.Contains("TLS is on (VESPA_USE_SSL=true) but CONTAINER_ID is not set", StringComparison.Ordinal))
            {
                return true;
            }

            Assert.True(log.Contains("USE_SSL", StringComparison.Ordinal) && log.Contains("is not a boolean", StringComparison.Ordinal), log);
            return null;
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }

    private static string StartScript
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "scripts", "start_server.sh");
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }

            throw new FileNotFoundException("scripts/start_server.sh above " + AppContext.BaseDirectory);
        }
    }
}
