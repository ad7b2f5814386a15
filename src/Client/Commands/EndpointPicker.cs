using System.Globalization;
using Vespa.Client.Output;
using Vespa.Client.Routing;

namespace Vespa.Client.Commands;

/// <summary>Lets a person choose an endpoint on a terminal: a numbered list and a prompt, by number or by name. The
/// list and prompt go to the error writer, so the command's own output (e.g. <c>key</c>'s) stays clean.</summary>
internal static class EndpointPicker
{
    private const int MaxTries = 3;

    /// <summary>The chosen endpoint; <c>null</c> when the input ends or three answers name none.</summary>
    public static async Task<EndpointJob?> PickAsync(CliConsole console, IReadOnlyList<EndpointJob> jobs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(jobs);
        var sorted = jobs.OrderBy(j => j.Name, StringComparer.Ordinal).ToList();
        var prompt = console.Error;
        await prompt.WriteLineAsync("Your endpoints:").ConfigureAwait(false);
        var width = sorted.Max(j => j.Name.Length);
        for (var i = 0; i < sorted.Count; i++)
        {
            var state = sorted[i].State is { } s ? "  " + s : "";
            await prompt.WriteLineAsync(TerminalText.Sanitize($"  {(i + 1).ToString(CultureInfo.InvariantCulture),3}) {sorted[i].Name.PadRight(width)}{state}")).ConfigureAwait(false);
        }

        for (var attempt = 0; attempt < MaxTries; attempt++)
        {
            await prompt.WriteAsync($"Endpoint [1-{sorted.Count} or name]: ").ConfigureAwait(false);
            await prompt.FlushAsync(cancellationToken).ConfigureAwait(false);
            var answer = await console.Input.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            if (answer is null)
            {
                return null;
            }

            answer = answer.Trim();
            if (int.TryParse(answer, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number >= 1 && number <= sorted.Count)
            {
                return sorted[number - 1];
            }

            if (sorted.FirstOrDefault(j => j.Name == answer) is { } named)
            {
                return named;
            }

            await prompt.WriteLineAsync($"'{answer}' is none of them.").ConfigureAwait(false);
        }

        return null;
    }
}
