using System.Diagnostics;
using System.Runtime.InteropServices;
using Vespa.Testing;

namespace Vespa.Worker.Tests.Infrastructure;

/// <summary>
/// The fake NVML library (fake-nvml.c: two GPUs with fixed readings and call counters) compiled with gcc into a
/// temporary folder for one test, so every test has its own copy and its own counters.
/// </summary>
internal sealed class FakeNvml : IDisposable
{
    /// <summary>Why the fake-library tests are skipped on this machine, or null when gcc is on PATH.</summary>
    public static readonly string? SkipReason = FindGcc() is null
        ? "gcc is not on PATH, so the fake NVML library (tests/Vespa.Worker.Tests/Infrastructure/fake-nvml.c) cannot be built: skipped. Install gcc to run this test."
        : null;

    private readonly string _directory;
    private nint _handle;

    private FakeNvml(string directory, string libraryPath)
    {
        _directory = directory;
        LibraryPath = libraryPath;
        // Held for the test's life: when the code under test unloads its copy, the counters must survive (the
        // same path gives the same loaded copy, so they are the ones the code under test moved).
        _handle = NativeLibrary.Load(libraryPath);
    }

    /// <summary>The built library, for <c>VESPA_NVML_LIBRARY</c>.</summary>
    public string LibraryPath { get; }

    /// <summary>Compiles the fake with the given preprocessor definitions (<c>FAKE_NVML_NO_DRIVER</c>, <c>FAKE_NVML_DEVICE_COUNT=0</c>).</summary>
    public static async Task<FakeNvml> BuildAsync(params string[] defines)
    {
        var gcc = FindGcc() ?? throw new InvalidOperationException(SkipReason);
        var source = Path.Combine(AppContext.BaseDirectory, "Infrastructure", "fake-nvml.c");
        Assert.True(File.Exists(source), $"{source} is missing: the test project copies it to its output.");
        var directory = Directory.CreateTempSubdirectory("vespa-fake-nvml-").FullName;
        var library = Path.Combine(directory, "libfake-nvml.so");

        var start = new ProcessStartInfo(gcc)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "-shared", "-fPIC", "-O1", "-Wall", "-o", library, source })
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var define in defines)
        {
            start.ArgumentList.Add("-D" + define);
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().DefaultTimeout();
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        Assert.True(process.ExitCode == 0, $"gcc failed ({process.ExitCode}): {await stderr}{await stdout}");
        return new FakeNvml(directory, library);
    }

    /// <summary>A call counter of the fake (<c>init</c>, <c>shutdown</c>, <c>utilization</c>, <c>temperature</c>, <c>power</c>).</summary>
    public int Calls(string counter) => Marshal.ReadInt32(NativeLibrary.GetExport(_handle, $"fake_nvml_{counter}_calls"));

    public void Dispose()
    {
        if (_handle != 0)
        {
            NativeLibrary.Free(_handle);
            _handle = 0;
        }

        // Unlinking a loaded library is fine on Linux; the mapping lives until the last handle goes.
        Directory.Delete(_directory, recursive: true);
    }

    private static string? FindGcc()
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, "gcc");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
