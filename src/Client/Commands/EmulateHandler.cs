using Vespa.Emulator;
using Vespa.Emulator.Terminal;

namespace Vespa.Client.Commands;

/// <summary>
/// Runs <c>emulate</c>: starts the emulator, prints how to use it, then shows what it receives (an event log above a
/// redrawn worker table on a terminal, one line per report and event otherwise; <see cref="EmulatorConsoleView"/>)
/// until the token fires (Ctrl+C, SIGTERM).
/// </summary>
internal sealed class EmulateHandler(CliConsole console, TimeProvider? timeProvider = null)
{
    public async Task<int> RunAsync(EmulatorOptions options, FileInfo? saveKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        AutoscalerEmulator emulator;
        try
        {
            emulator = await AutoscalerEmulator.StartAsync(options, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return ExitCodes.Success;
        }
        catch (ArgumentException e)
        {
            await console.Error.WriteLineAsync("vespa-client emulate: " + e.Message).ConfigureAwait(false);
            return ExitCodes.Usage;
        }
        catch (IOException e)
        {
            await console.Error.WriteLineAsync($"vespa-client emulate: cannot start on {options.Host}:{options.Port}: {e.Message}").ConfigureAwait(false);
            return ExitCodes.Failure;
        }

        await using (emulator.ConfigureAwait(false))
        {
            if (saveKey is not null && !await TrySaveKeyAsync(emulator, saveKey, cancellationToken).ConfigureAwait(false))
            {
                return ExitCodes.Failure;
            }

            var view = new EmulatorConsoleView(console.Output, console.IsTerminal, console.Width, timeProvider);
            await view.WriteBannerAsync(emulator, options).ConfigureAwait(false);
            try
            {
                await view.RunAsync(emulator, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Ctrl+C: the normal way to stop.
            }
        }

        await console.Output.WriteLineAsync("emulator stopped").ConfigureAwait(false);
        await console.Output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        return ExitCodes.Success;
    }

    private async Task<bool> TrySaveKeyAsync(AutoscalerEmulator emulator, FileInfo file, CancellationToken cancellationToken)
    {
        try
        {
            // Owner-only from creation, and narrowed if the file already existed, so the key is never readable by others.
            var streamOptions = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                streamOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
                if (file.Exists)
                {
                    File.SetUnixFileMode(file.FullName, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                }
            }

            var stream = new FileStream(file.FullName, streamOptions);
            await using (stream.ConfigureAwait(false))
            {
                var writer = new StreamWriter(stream);
                await using (writer.ConfigureAwait(false))
                {
                    await writer.WriteAsync(emulator.ExportPrivateKeyPem().AsMemory(), cancellationToken).ConfigureAwait(false);
                }
            }

            await console.Output.WriteLineAsync($"signing key saved to {file.FullName}").ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await console.Error.WriteLineAsync($"vespa-client emulate: cannot write --save-key {file.FullName}: {e.Message}").ConfigureAwait(false);
            return false;
        }
    }
}
