using Vespa.Client.Configuration;
using Vespa.Emulator;
using Vespa.Testing;

namespace Vespa.Client.Tests.Infrastructure;

/// <summary>Runs vespa-client in-process through the real command tree, with a given environment, captured output,
/// and back-off delays shortened so retries take milliseconds.</summary>
internal static class Cli
{
    /// <summary>Settings that keep every retry path fast: a few milliseconds of back-off, short polls, a short
    /// circuit break.</summary>
    public static ClientSettings Fast(ClientSettings settings) => settings with
    {
        RetryBaseDelay = TimeSpan.FromMilliseconds(2),
        RetryMaxDelay = TimeSpan.FromMilliseconds(10),
        RetryAfterMax = TimeSpan.FromMilliseconds(300),
        WaitingPollDelay = TimeSpan.FromMilliseconds(5),
        WaitingPollMaxDelay = TimeSpan.FromMilliseconds(20),
        BreakerDuration = TimeSpan.FromMilliseconds(300),
    };

    /// <summary>An environment with <paramref name="variables"/> and an empty home directory of its own.</summary>
    public static ClientEnvironment Environment(params (string Name, string Value)[] variables) =>
        Environment(home: null, variables);

    public static ClientEnvironment Environment(string? home, params (string Name, string Value)[] variables) =>
        new(variables.ToDictionary(v => v.Name, v => v.Value), home ?? TempDirectory());

    public static ClientServices Services(ClientEnvironment? environment = null, Func<ClientSettings, ClientSettings>? tune = null, Action<Uri>? proxyStarted = null) =>
        new()
        {
            Environment = environment ?? Environment(),
            TuneSettings = tune ?? Fast,
            ProxyStarted = proxyStarted,
        };

    /// <summary>The emulator as autoscaler and console, its default endpoint and key.</summary>
    public static string[] Against(AutoscalerEmulator emulator, params string[] args) =>
        [.. args, "--autoscaler-url", emulator.BaseUrl.OriginalString, "--console-url", emulator.BaseUrl.OriginalString, "--endpoint", "local", "--endpoint-key", "local-endpoint-key"];

    public static Task<CliRun> RunAsync(params string[] args) => RunAsync(Services(), args);

    public static Task<CliRun> RunAsync(ClientServices services, params string[] args) =>
        RunAsync(services, input: null, interactive: false, CancellationToken.None, args);

    public static async Task<CliRun> RunAsync(ClientServices services, string? input, bool interactive, CancellationToken cancellationToken, params string[] args)
    {
        var output = new LockedStringWriter();
        var error = new LockedStringWriter();
        var bytes = new MemoryStream();
        var console = new CliConsole(output, error, isTerminal: interactive)
        {
            Input = new StringReader(input ?? ""),
            IsInputTerminal = interactive,
            OutputStream = new TeeStream(bytes, output),
        };
        var exit = await Program.RunAsync(args, console, services, cancellationToken).DefaultTimeout();
        return new CliRun(exit, output.ToString(), error.ToString(), bytes.ToArray());
    }

    public static string TempDirectory()
    {
        var path = Path.Combine(Path.GetTempPath(), "vespa-client-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }
}
