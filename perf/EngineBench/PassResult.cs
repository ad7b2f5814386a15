namespace Vespa.Perf.EngineBench;

/// <summary>One measured pass: the generation window, the tokens generated inside it, and what the first request wrote.</summary>
/// <param name="PrefillSeconds">From the submission of the requests to the first generated token of the batch.</param>
/// <param name="GenerationSeconds">From the first generated token of the batch to the last.</param>
/// <param name="GenerationTokens">Tokens generated inside the window.</param>
/// <param name="StepsBeforeWindow">Decode steps whose tokens were out before the window opened (1 when it opened right after the prefill step).</param>
/// <param name="Hash">FNV-1a 64 of the ASCII characters of the first request's text (see native_bench.c).</param>
/// <param name="Text">The first request's text.</param>
internal readonly record struct PassResult(double PrefillSeconds, double GenerationSeconds, long GenerationTokens, long StepsBeforeWindow, ulong Hash, string Text)
{
    public double TokensPerSecond => GenerationTokens / GenerationSeconds;
}
