using System.Threading.Channels;
using Vespa.Core.Signatures;
using Vespa.Emulator;

namespace Vespa.Client.Commands;

/// <summary>
/// Runs <c>emulate</c>: starts the emulator, prints how to use it, then shows the worker reports it receives (a
/// redrawn table on a terminal, one line per report otherwise) until the token fires (Ctrl+C, SIGTERM).
/// </summary>
internal sealed class EmulateHandler(CliConsole console, TimeProvider? timeProvider = null)
{
    /// <summary>Report lines waiting to be printed; beyond this the oldest are dropped, so a slow pipe never holds up
    /// the emulator's request handling.</summary>
    private const int MaxPendingLines = 1000;

    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

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

            await WriteBannerAsync(emulator, options).ConfigureAwait(false);
            try
            {
                if (console.IsTerminal)
                {
                    await ShowTableAsync(emulator, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await ShowLinesAsync(emulator, cancellationToken).ConfigureAwait(false);
                }
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

    private async Task WriteBannerAsync(AutoscalerEmulator emulator, EmulatorOptions options)
    {
        var baseUrl = emulator.BaseUrl.OriginalString;
        var output = console.Output;
        var endpoint = emulator.Endpoints[0];
        await output.WriteLineAsync($"vespa-client emulate: local autoscaler on {baseUrl} (signature scheme {SignatureSchemeParser.ToName(emulator.Scheme)})").ConfigureAwait(false);
        if (options.AllowRemote && options.Host is not ("127.0.0.1" or "::1" or "localhost"))
        {
            await output.WriteLineAsync($"WARNING: listening on {options.Host}; anyone who can reach it can route, read reports and set faults.").ConfigureAwait(false);
        }

        await output.WriteLineAsync().ConfigureAwait(false);
        await output.WriteLineAsync("Worker environment (a secured worker on this machine):").ConfigureAwait(false);
        await output.WriteLineAsync($"  REPORT_ADDR={baseUrl}").ConfigureAwait(false);
        await output.WriteLineAsync("  CONTAINER_ID=1 MASTER_TOKEN=local-master-token PUBLIC_IPADDR=127.0.0.1 VAST_TCP_PORT_3000=3000 VESPA_HOST=127.0.0.1").ConfigureAwait(false);
        await output.WriteLineAsync().ConfigureAwait(false);
        foreach (var e in emulator.Endpoints)
        {
            await output.WriteLineAsync($"Endpoint {e.Name}: key {e.ApiKey}").ConfigureAwait(false);
        }

        await output.WriteLineAsync($"Account key: {options.AccountKey}").ConfigureAwait(false);
        var workers = emulator.RegisteredWorkers;
        await output.WriteLineAsync(workers.Count == 0
            ? "Workers: none registered; a worker becomes eligible once it reports loadtime > 0 with its url."
            : "Workers: " + string.Join(", ", workers)).ConfigureAwait(false);
        await output.WriteLineAsync().ConfigureAwait(false);
        await output.WriteLineAsync("Route a request:").ConfigureAwait(false);
        await output.WriteLineAsync($"  curl -s -X POST {baseUrl}/route/ -H 'Authorization: Bearer {endpoint.ApiKey}' -d '{{\"endpoint\": \"{endpoint.Name}\", \"cost\": 100}}'").ConfigureAwait(false);
        await output.WriteLineAsync($"Reports: GET {baseUrl}/_emulator/reports   Faults: POST {baseUrl}/_emulator/faults").ConfigureAwait(false);
        await output.WriteLineAsync("Press Ctrl+C to stop.").ConfigureAwait(false);
        await output.WriteLineAsync().ConfigureAwait(false);
        await output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
    }

    private async Task ShowLinesAsync(AutoscalerEmulator emulator, CancellationToken cancellationToken)
    {
        var lines = Channel.CreateBounded<string>(new BoundedChannelOptions(MaxPendingLines)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });
        void OnStatus(object? sender, WorkerStatusReport report) => lines.Writer.TryWrite(ReportFormatter.FormatLine(report));
        void OnDelete(object? sender, DeleteRequestsReport report) => lines.Writer.TryWrite(ReportFormatter.FormatLine(report));
        emulator.StatusReportReceived += OnStatus;
        emulator.DeleteReportReceived += OnDelete;
        try
        {
            await foreach (var line in lines.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                await console.Output.WriteLineAsync(line).ConfigureAwait(false);
                await console.Output.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            emulator.StatusReportReceived -= OnStatus;
            emulator.DeleteReportReceived -= OnDelete;
        }
    }

    private async Task ShowTableAsync(AutoscalerEmulator emulator, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), _time);
        var previousLines = 0;
        do
        {
            var table = ReportFormatter.FormatTable(emulator, _time.GetUtcNow(), console.Width);

            // Move the cursor back to the start of the previous table and clear to the end of the screen (ANSI).
            var redraw = previousLines > 0 ? $"\u001b[{previousLines}F\u001b[J" : "";
            await console.Output.WriteAsync(redraw + string.Join('\n', table) + "\n").ConfigureAwait(false);
            await console.Output.FlushAsync(cancellationToken).ConfigureAwait(false);
            previousLines = table.Count;
        }
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
    }
}
