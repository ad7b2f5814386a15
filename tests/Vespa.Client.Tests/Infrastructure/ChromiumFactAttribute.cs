namespace Vespa.Client.Tests.Infrastructure;

/// <summary>
/// A fact that needs a headless Chromium (Debian: <c>apt-get install chromium</c>; or <c>CHROMIUM</c> naming one) and
/// the llama.cpp libraries next to the built worker (its embedded engine is the backend). Without either it is
/// reported as skipped, with the reason, so the suite never depends on a browser being installed.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute()
    {
        if (FindChromium() is null)
        {
            Skip = "no chromium on PATH (apt-get install chromium, or set CHROMIUM) - the live page's browser check is skipped";
        }
        else if (!Directory.Exists(Path.Combine(AppContext.BaseDirectory, "native")) ||
                 !Directory.EnumerateFiles(Path.Combine(AppContext.BaseDirectory, "native"), "libllama*.so").Any())
        {
            Skip = "no llama.cpp libraries next to the worker (scripts/fetch-llama-native.sh) - the live page's browser check is skipped";
        }
    }

    /// <summary>The browser the check script will use, or <c>null</c>.</summary>
    public static string? FindChromium()
    {
        if (Environment.GetEnvironmentVariable("CHROMIUM") is { Length: > 0 } configured)
        {
            return File.Exists(configured) ? configured : null;
        }

        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var directory in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (var name in new[] { "chromium", "chromium-browser", "google-chrome" })
            {
                var candidate = Path.Combine(directory, name);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }
}
