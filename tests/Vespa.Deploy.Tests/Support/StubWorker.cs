namespace Vespa.Deploy.Tests.Support;

/// <summary>
/// A stand-in for vespa-worker: a bash script that records its process id (equal to the start script's when it
/// was exec'd), its arguments and its environment, then exits with <c>STUB_EXIT</c> (0 by default).
/// </summary>
internal sealed class StubWorker
{
    private const string Body = """
        #!/usr/bin/env bash
        out="${STUB_OUT:?STUB_OUT is not set}"
        { printf 'pid=%s\n' "$$"; for a in "$@"; do printf 'arg=%s\n' "$a"; done; } >"${out}.info"
        env -0 >"${out}.env"
        exit "${STUB_EXIT:-0}"

        """;

    public StubWorker(string directory)
    {
        Executable = Path.Combine(directory, "stub-worker");
        Output = Path.Combine(directory, "stub-out");
        WriteExecutable(Executable, Body);
    }

    public string Executable { get; }

    /// <summary>The value for <c>STUB_OUT</c>.</summary>
    public string Output { get; }

    public bool Ran => File.Exists(Output + ".info");

    public int ProcessId => int.Parse(Info().Single(l => l.StartsWith("pid=", StringComparison.Ordinal))[4..], System.Globalization.CultureInfo.InvariantCulture);

    public IReadOnlyList<string> Arguments => [.. Info().Where(l => l.StartsWith("arg=", StringComparison.Ordinal)).Select(l => l[4..])];

    public IReadOnlyDictionary<string, string> Environment =>
        File.ReadAllText(Output + ".env")
            .Split('\0', StringSplitOptions.RemoveEmptyEntries)
            .Select(entry => entry.Split('=', 2))
            .ToDictionary(parts => parts[0], parts => parts.Length > 1 ? parts[1] : "");

    /// <summary>Writes a script with LF line ends and makes it executable for its owner.</summary>
    public static void WriteExecutable(string path, string body)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("start_server.sh runs on Linux only");
        }

        File.WriteAllText(path, body.Replace("\r\n", "\n", StringComparison.Ordinal));
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    private string[] Info() => File.ReadAllLines(Output + ".info");
}
