using System.Diagnostics;
using Vespa.Client.Tests.Infrastructure;

namespace Vespa.Client.Tests.Commands;

/// <summary>
/// The emulator's live page in a real browser: scripts/emulator-page-check.sh runs the built vespa-client emulate and
/// a secured vespa-worker reporting to it, sends traffic, and checks the page in headless Chromium (a screenshot and
/// the rendered DOM). Skipped where no Chromium is installed.
/// </summary>
public sealed class EmulatePageBrowserTests
{
    /// <summary>A hang guard: the script takes about a minute on a loaded machine (two browser runs, a worker start).</summary>
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromMinutes(5);

    [ChromiumFact]
    public async Task LivePage_InHeadlessChromium_ShowsTheWorkerItsChartEventsAndDeleteRecords()
    {
        var screenshot = Path.Combine(Path.GetTempPath(), "vespa-emulator-page-" + Guid.NewGuid().ToString("N") + ".png");
        try
        {
            var (exit, output) = await RunScriptAsync(screenshot);

            Assert.True(exit == 0, $"emulator-page-check.sh exited with {exit}:\n{output}");
            Assert.Contains("DOM checks passed", output, StringComparison.Ordinal);
            var png = await File.ReadAllBytesAsync(screenshot);
            Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
            Assert.True(png.Length > 20_000, $"the screenshot is only {png.Length} bytes: an empty page?");
        }
        finally
        {
            File.Delete(screenshot);
            File.Delete(Path.ChangeExtension(screenshot, ".dom.html"));
        }
    }

    private static async Task<(int Exit, string Output)> RunScriptAsync(string screenshot)
    {
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(RepositoryRoot(), "scripts", "emulator-page-check.sh"));
        start.ArgumentList.Add(screenshot);
        start.Environment["VESPA_CLIENT_BIN"] = Path.Combine(AppContext.BaseDirectory, "vespa-client");
        start.Environment["VESPA_WORKER_BIN"] = Path.Combine(AppContext.BaseDirectory, "vespa-worker");
        start.Environment["CHROMIUM"] = ChromiumFactAttribute.FindChromium();

        using var process = Process.Start(start) ?? throw new InvalidOperationException("bash did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(ScriptTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        return (process.ExitCode, await stdout + await stderr);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Vespa.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Vespa.sln not found above " + AppContext.BaseDirectory);
    }
}
