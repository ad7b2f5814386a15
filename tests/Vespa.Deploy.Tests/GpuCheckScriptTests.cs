using System.Diagnostics;
using System.Runtime.Versioning;
using Vespa.Deploy.Tests.Support;

namespace Vespa.Deploy.Tests;

/// <summary>
/// <c>scripts/gpu-check.sh</c> on a machine without a GPU: it must fail at once, clearly ("no CUDA device",
/// exit 3), before any download or build, rather than pass on the CPU. The PATH is a folder the test controls
/// (with bash, and with or without a fake <c>nvidia-smi</c>), so the result is the same on any machine.
/// </summary>
public sealed class GpuCheckScriptTests
{
    private static string Script => Path.Combine(RepositoryPaths.Root, "scripts", "gpu-check.sh");

    [Fact]
    public async Task NoNvidiaSmi_FailsFastWithNoCudaDevice()
    {
        using var home = new TempDirectory();
        var bin = BinWithBash(home.Path);

        var started = Stopwatch.GetTimestamp();
        var result = await ScriptProcess.RunAsync(Script, home.Path, new Dictionary<string, string> { ["PATH"] = bin });

        Assert.True(result.ExitCode == 3, result.ToString());
        Assert.Contains("gpu-check: FAIL: no CUDA device: nvidia-smi not found", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("fetch", result.Stdout + result.Stderr, StringComparison.OrdinalIgnoreCase);
        Assert.True(Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(10), "the no-GPU answer must come before anything slow");
    }

    [Fact]
    [SupportedOSPlatform("linux")]
    public async Task NvidiaSmiListingNoGpu_FailsWithNoCudaDevice()
    {
        using var home = new TempDirectory();
        var bin = BinWithBash(home.Path);
        var smi = Path.Combine(bin, "nvidia-smi");
        await File.WriteAllTextAsync(smi, "#!/bin/bash\necho 'No devices were found'\nexit 6\n");
        File.SetUnixFileMode(smi, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var result = await ScriptProcess.RunAsync(Script, home.Path, new Dictionary<string, string> { ["PATH"] = bin });

        Assert.True(result.ExitCode == 3, result.ToString());
        Assert.Contains("no CUDA device: nvidia-smi lists no GPU: No devices were found", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownArgument_IsAUsageError()
    {
        using var home = new TempDirectory();

        var result = await ScriptProcess.RunAsync(Script, home.Path, new Dictionary<string, string> { ["PATH"] = BinWithBash(home.Path) }, "--bogus");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("usage: scripts/gpu-check.sh", result.Stderr, StringComparison.Ordinal);
    }

    /// <summary>A PATH folder holding only bash, so no nvidia-smi of the machine running the test is found.</summary>
    private static string BinWithBash(string home)
    {
        var bin = Path.Combine(home, "bin");
        Directory.CreateDirectory(bin);
        File.CreateSymbolicLink(Path.Combine(bin, "bash"), "/bin/bash");
        return bin;
    }
}
