using System.CommandLine;
using System.Security.Cryptography;

namespace Vespa.Client.Commands;

/// <summary>Resolves a command's settings and builds its <see cref="ClientRuntime"/>, or says why not (a usage error);
/// prints the warnings the command line earns (deprecated options).</summary>
internal static class RuntimeFactory
{
    public static (ClientRuntime? Runtime, CommandFailure? Failure) Create(ParseResult parse, ClientOptions options, ClientServices services, CliConsole console)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(console);
        if (!options.TryResolve(parse, services.Environment, out var settings, out var error))
        {
            return (null, CommandFailure.Usage(error));
        }

        foreach (var warning in options.Warnings(parse))
        {
            console.Error.WriteLine($"vespa-client {parse.CommandResult.Command.Name}: warning: {warning}");
        }

        settings = services.TuneSettings?.Invoke(settings) ?? settings;
        try
        {
            return (new ClientRuntime(settings, services.Time, console.Error), null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            return (null, CommandFailure.Usage($"cannot load the vast.ai root certificate '{settings.VastRootCertificateFile}': {e.Message}"));
        }
    }
}
