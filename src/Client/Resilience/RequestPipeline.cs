using Polly;
using Polly.Retry;
using Polly.Timeout;
using Vespa.Client.Configuration;

namespace Vespa.Client.Resilience;

/// <summary>
/// The client's one resilience pipeline, built once per run and shared by every call (house-style §3, client rule):
/// total timeout (outermost) → retry → per-attempt timeout. An attempt is one <c>/route/</c> plus the worker call up to
/// its first answer byte (or a console call); its result is an <see cref="AttemptOutcome"/> value.
/// </summary>
/// <remarks>
/// <para>Retried: WAITING routes (polled until the total timeout; they are not failures), the autoscaler's and the
/// console's 5xx/408/429 and transport errors, the worker's 408/429/5xx and transport errors (re-routed with the same
/// <c>request_idx</c>), open circuits (at once, at most <see cref="ClientDefaults.CircuitOpenReroutes"/> in a row), and
/// attempt timeouts — at most <see cref="ClientSettings.MaxRetries"/> failures
/// after the first. Not retried: other 4xx, cancellation, and anything once an answer has started to reach the user
/// (the pipeline returns at the first byte; what follows is outside it).</para>
/// <para>Delays: WAITING polls start at <see cref="ClientSettings.WaitingPollDelay"/> and back off to
/// <see cref="ClientSettings.WaitingPollMaxDelay"/>; failures back off exponentially from
/// <see cref="ClientSettings.RetryBaseDelay"/> to <see cref="ClientSettings.RetryMaxDelay"/> with "equal jitter" (a
/// uniform pick in the upper half); a <c>Retry-After</c> wins, up to <see cref="ClientSettings.RetryAfterMax"/>.</para>
/// <para>The result type is our outcome rather than <see cref="HttpResponseMessage"/>: a WAITING route and an open
/// circuit are not HTTP failures, and the proxy's answers are relayed, not returned.</para>
/// </remarks>
internal static class RequestPipeline
{
    private static readonly ResiliencePropertyKey<CallState> CallStateKey = new("vespa.call");

    public static ResiliencePipeline<AttemptOutcome> Create(ClientSettings settings, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(time);
        var maxRetries = settings.MaxRetries;
        return new ResiliencePipelineBuilder<AttemptOutcome> { TimeProvider = time }
            .AddTimeout(settings.TotalTimeout)
            .AddRetry(new RetryStrategyOptions<AttemptOutcome>
            {
                // Bounded by the failure count in ShouldHandle and by the total timeout, not by Polly's attempt count:
                // WAITING polls go on until the time runs out.
                MaxRetryAttempts = int.MaxValue,
                ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome, args.Context, maxRetries)),
                DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(NextDelay(args.Outcome, args.Context, settings)),
                OnRetry = static args =>
                {
                    var call = args.Context.Properties.GetValue(CallStateKey, null!);
                    var what = args.Outcome.Result?.Message ?? (args.Outcome.Exception is TimeoutRejectedException ? "attempt timed out" : "failed");
                    call.Progress.Report(args.Outcome.Result?.Kind == OutcomeKind.Waiting
                        ? what
                        : $"{what}; retrying in {args.RetryDelay.TotalSeconds:0.0}s");
                    return default;
                },
            })
            .AddTimeout(settings.AttemptTimeout)
            .Build();
    }

    /// <summary>Runs <paramref name="attempt"/> through <paramref name="pipeline"/> until an outcome is final, the
    /// retries are spent, the time runs out, or <paramref name="state"/>'s caller cancels.</summary>
    public static async Task<CallResult> ExecuteAsync(
        ResiliencePipeline<AttemptOutcome> pipeline,
        CallState state,
        Func<CallState, CancellationToken, ValueTask<AttemptOutcome>> attempt,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(state);
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(CallStateKey, state);
        try
        {
            var outcome = await pipeline.ExecuteOutcomeAsync(
                static async (ctx, run) =>
                {
                    var call = ctx.Properties.GetValue(CallStateKey, null!);
                    call.Attempts++;
                    try
                    {
                        var result = await run(call, ctx.CancellationToken).ConfigureAwait(false);
                        if (result.IsTransient && result.Kind != OutcomeKind.Waiting)
                        {
                            call.Failures++;
                        }

                        call.LastProblem = result.Kind == OutcomeKind.Answered ? null : result.Message;
                        call.CircuitOpenInARow = result.Kind == OutcomeKind.CircuitOpen ? call.CircuitOpenInARow + 1 : 0;
                        return Outcome.FromResult(result);
                    }
                    catch (OperationCanceledException e)
                    {
                        if (!call.CallerToken.IsCancellationRequested)
                        {
                            // The attempt's (or the total) timeout: counted like any failed attempt.
                            call.Failures++;
                        }

                        return Outcome.FromException<AttemptOutcome>(e);
                    }
                },
                context,
                attempt).ConfigureAwait(false);

            if (outcome.Exception is null)
            {
                return CallResult.From(outcome.Result!, state);
            }

            return state.CallerToken.IsCancellationRequested || cancellationToken.IsCancellationRequested
                ? CallResult.FromCancellation(state)
                : CallResult.FromTimeout(state);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private static bool ShouldRetry(Outcome<AttemptOutcome> outcome, ResilienceContext context, int maxRetries)
    {
        var call = context.Properties.GetValue(CallStateKey, null!);
        if (call.CallerToken.IsCancellationRequested)
        {
            return false;
        }

        return outcome switch
        {
            { Exception: TimeoutRejectedException } => call.Failures <= maxRetries,
            { Exception: not null } => false,
            { Result.Kind: OutcomeKind.Waiting } => true,
            // The autoscaler keeps naming workers we know are down: stop with the cause rather than spend the whole
            // back-off series on routes that call nobody.
            { Result.Kind: OutcomeKind.CircuitOpen } when call.CircuitOpenInARow >= ClientDefaults.CircuitOpenReroutes => false,
            { Result.IsTransient: true } => call.Failures <= maxRetries,
            _ => false,
        };
    }

    private static TimeSpan NextDelay(Outcome<AttemptOutcome> outcome, ResilienceContext context, ClientSettings settings)
    {
        var call = context.Properties.GetValue(CallStateKey, null!);
        if (outcome.Result is { Kind: OutcomeKind.Waiting })
        {
            call.WaitingPolls++;
            return call.WaitingPolls == 1
                ? settings.WaitingPollDelay
                : Jitter(Exponential(settings.WaitingPollDelay, call.WaitingPolls - 1, settings.WaitingPollMaxDelay));
        }

        if (outcome.Result is { Kind: OutcomeKind.CircuitOpen })
        {
            // Nothing was sent to a worker: re-route at once (bounded by CircuitOpenReroutes).
            return TimeSpan.Zero;
        }

        if (outcome.Result?.RetryAfter is { } retryAfter)
        {
            return retryAfter < settings.RetryAfterMax ? retryAfter : settings.RetryAfterMax;
        }

        return Jitter(Exponential(settings.RetryBaseDelay, Math.Max(0, call.Failures - 1), settings.RetryMaxDelay));
    }

    /// <summary><paramref name="first"/> × 2^<paramref name="doublings"/>, at most <paramref name="max"/>.</summary>
    internal static TimeSpan Exponential(TimeSpan first, int doublings, TimeSpan max)
    {
        var factor = Math.Pow(2, Math.Min(doublings, 30));
        var ticks = first.Ticks * factor;
        return ticks >= max.Ticks ? max : TimeSpan.FromTicks((long)ticks);
    }

    /// <summary>"Equal jitter": a uniform pick between half of <paramref name="delay"/> and all of it, so concurrent
    /// clients spread out but none retries sooner than half the back-off.</summary>
    internal static TimeSpan Jitter(TimeSpan delay) =>
        TimeSpan.FromTicks(delay.Ticks / 2 + (long)(Random.Shared.NextDouble() * (delay.Ticks / 2)));
}
