namespace Vespa.Emulator;

/// <summary>
/// What happens to the next <see cref="Count"/> requests of one target: they are held for <see cref="Delay"/>, then
/// answered with <see cref="StatusCode"/> (<c>{"error": "injected fault"}</c>), or, without a status, handled normally.
/// </summary>
/// <param name="Count">How many requests the fault applies to; <see cref="int.MaxValue"/> means until cleared.</param>
/// <param name="StatusCode">The status to fail with (400–599), or <c>null</c> to only delay.</param>
/// <param name="Delay">How long to hold each request before answering.</param>
public sealed record EmulatorFault(int Count, int? StatusCode, TimeSpan Delay)
{
    /// <summary>Whether requests answered under this fault are failures (they have a status to fail with).</summary>
    public bool Fails => StatusCode is not null;
}
