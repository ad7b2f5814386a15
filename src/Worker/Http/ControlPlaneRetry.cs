using Polly;
using Polly.Retry;

namespace Vespa.Worker.Http;

/// <summary>
/// The one retry shape of the worker's control-plane calls (autoscaler posts, public-key fetches), as a Polly
/// pipeline built once per caller on the injected <see cref="TimeProvider"/> (tests run it on a fake clock). An
/// attempt returns <c>null</c> on success or the failure as text; a failure text or an unexpected exception is
/// retried after the delay, cancellation never is. After the last attempt the pipeline returns the last failure
/// text, or rethrows the last unexpected exception for the caller's loop guard.
/// </summary>
internal static class ControlPlaneRetry
{
    /// <summary>Attempt count meaning "until it works or the caller stops".</summary>
    public const int Unbounded = int.MaxValue;

    /// <param name="attempts">Attempts in all (1 = no retry), or <see cref="Unbounded"/>.</param>
    /// <param name="delay">Pause after the first failure.</param>
    /// <param name="backoff">Constant, or exponential (doubling) up to <paramref name="maxDelay"/>.</param>
    /// <param name="maxDelay">Longest pause; <c>null</c> for no cap.</param>
    /// <param name="time">The clock every pause runs on.</param>
    /// <param name="onRetry">Called before each pause with the attempt number that failed (1-based), and its failure text or exception.</param>
    public static ResiliencePipeline<string?> Create(int attempts, TimeSpan delay, DelayBackoffType backoff, TimeSpan? maxDelay, TimeProvider time, Action<int, string?, Exception?>? onRetry = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attempts, 1);
        if (attempts == 1)
        {
            return ResiliencePipeline<string?>.Empty;
        }

        var retry = new RetryStrategyOptions<string?>
        {
            MaxRetryAttempts = attempts == Unbounded ? int.MaxValue : attempts - 1,
            Delay = delay,
            MaxDelay = maxDelay,
            BackoffType = backoff,
            // Deterministic pauses: one worker's retries do not need spreading, and tests step a fake clock.
            UseJitter = false,
            ShouldHandle = args => ValueTask.FromResult(args.Outcome switch
            {
                { Exception: OperationCanceledException } => false,
                { Exception: not null } => true,
                { Result: not null } => true,
                _ => false,
            }),
            OnRetry = args =>
            {
                onRetry?.Invoke(args.AttemptNumber + 1, args.Outcome.Result, args.Outcome.Exception);
                return default;
            },
        };

        return new ResiliencePipelineBuilder<string?> { TimeProvider = time }.AddRetry(retry).Build();
    }
}
