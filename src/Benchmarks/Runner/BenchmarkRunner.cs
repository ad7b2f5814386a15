using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Vespa.Benchmarks.Http;

namespace Vespa.Benchmarks.Runner;

/// <summary>
/// The runner shared by the HTTP benchmarks: an optional warm-up request, then
/// <see cref="BenchmarkOptions.Runs"/> runs of <see cref="BenchmarkPlan.Concurrency"/> requests sent
/// at once. A request succeeds iff the status is 200 and the body reads as the plan expects. A run's
/// throughput is the workload of its successes over its wall time; the result is the best run.
/// </summary>
/// <remarks>
/// Unlike the official workers, nothing is papered over: a failed warm-up, a run without a single
/// success, or a zero result throws <see cref="BenchmarkFailedException"/> rather than reporting
/// 1.0 or 0.0 (vast-protocol.md §3.3, §11 item 26), and every response is disposed.
/// </remarks>
internal static partial class BenchmarkRunner
{
    public static async Task<BenchmarkResult> RunAsync(string name, BenchmarkContext context, BenchmarkPlan plan, CancellationToken cancellationToken)
    {
        var options = context.Options;
        var logger = context.Logger;
        var time = context.TimeProvider;
        var estimates = new EstimateWarning(name, logger);
        Log.Starting(logger, name, options.Runs, plan.Concurrency, options.Warmup ? "on" : "off");

        // Step 1: warm-up. Its failure is the benchmark's failure; there is no fallback figure.
        if (options.Warmup)
        {
            var started = time.GetTimestamp();
            var warmup = await SendAsync(context, plan, cancellationToken);
            if (!warmup.Succeeded)
            {
                throw new BenchmarkFailedException(name, "the warm-up request failed: " + warmup.Describe(), null);
            }

            var seconds = time.GetElapsedTime(started).TotalSeconds;
            estimates.Observe(warmup);
            Log.WarmupSucceeded(logger, name, seconds);
        }

        // Step 2: the measured runs.
        var throughputs = new double[options.Runs];
        for (var run = 1; run <= options.Runs; run++)
        {
            throughputs[run - 1] = await RunOnceAsync(name, context, plan, run, estimates, cancellationToken);
        }

        // Step 3: the best run. Successes that carried no work (0 completion tokens) cannot justify a figure either.
        var max = throughputs.Max();
        if (!(max > 0) || double.IsInfinity(max))
        {
            throw new BenchmarkFailedException(
                name,
                $"measured no work: every successful response carried 0 {plan.Unit.Split('/')[0]} (best run {max.ToString("G6", CultureInfo.InvariantCulture)} {plan.Unit})",
                null);
        }

        Log.Completed(logger, name, max, plan.Unit, options.Runs);
        return new BenchmarkResult(max, throughputs, plan.Unit);
    }

    private static async Task<double> RunOnceAsync(string name, BenchmarkContext context, BenchmarkPlan plan, int run, EstimateWarning estimates, CancellationToken cancellationToken)
    {
        var time = context.TimeProvider;
        var runs = context.Options.Runs;
        var started = time.GetTimestamp();
        var pending = new Task<RequestOutcome>[plan.Concurrency];
        for (var i = 0; i < pending.Length; i++)
        {
            pending[i] = SendAsync(context, plan, cancellationToken);
        }

        var outcomes = await Task.WhenAll(pending);

        // A clock that did not move (a coarse or fake clock) counts as one tick, never as zero.
        var seconds = Math.Max(time.GetElapsedTime(started).TotalSeconds, 1.0 / time.TimestampFrequency);

        var workload = 0.0;
        var successes = 0;
        RequestOutcome? firstFailure = null;
        foreach (var outcome in outcomes)
        {
            if (outcome.Succeeded)
            {
                successes++;
                workload += outcome.Workload;
                estimates.Observe(outcome);
            }
            else
            {
                firstFailure ??= outcome;
            }
        }

        if (successes == 0)
        {
            throw new BenchmarkFailedException(
                name,
                $"no successful response in run {run}/{runs} ({outcomes.Length} requests; {Summarize(outcomes)}); first error: {firstFailure!.Describe()}",
                null);
        }

        var throughput = workload / seconds;
        Log.RunCompleted(context.Logger, name, run, runs, throughput, plan.Unit, successes, outcomes.Length, seconds);
        if (firstFailure is not null)
        {
            Log.RunHadFailures(context.Logger, name, run, runs, outcomes.Length - successes, outcomes.Length, Summarize(outcomes.Where(o => !o.Succeeded)), firstFailure.Describe());
        }

        return throughput;
    }

    /// <summary>Sends one request, bounded by <see cref="BenchmarkOptions.RequestTimeout"/>; only the caller's cancellation escapes.</summary>
    private static async Task<RequestOutcome> SendAsync(BenchmarkContext context, BenchmarkPlan plan, CancellationToken cancellationToken)
    {
        var timeout = context.Options.RequestTimeout;
        using var timeoutSource = new CancellationTokenSource(timeout, context.TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, BackendPaths.Resolve(context.Backend, plan.Path));
            request.Content = plan.CreateContent();
            using var response = await context.Backend.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token);
            var body = await response.Content.ReadAsByteArrayAsync(linked.Token);
            return response.StatusCode == HttpStatusCode.OK
                ? Evaluate(plan, body)
                : RequestOutcome.HttpError((int)response.StatusCode, body);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException) when (timeoutSource.IsCancellationRequested)
        {
            return RequestOutcome.Timeout($"no complete answer within {FormatSeconds(timeout)} (RequestTimeout)");
        }
        catch (TaskCanceledException ex) when (ex.InnerException is TimeoutException)
        {
            // HttpClient.Timeout of the client the worker handed us, shorter than RequestTimeout.
            return RequestOutcome.Timeout(ex.Message);
        }
        catch (HttpRequestException ex)
        {
            return RequestOutcome.ConnectionError(ex.Message);
        }
        catch (IOException ex)
        {
            return RequestOutcome.ConnectionError(ex.Message);
        }
    }

    private static RequestOutcome Evaluate(BenchmarkPlan plan, byte[] body)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            return RequestOutcome.BadBody("the body is not JSON", body);
        }

        using (document)
        {
            var evaluation = plan.Evaluate(document.RootElement);
            if (evaluation.Problem is not null)
            {
                return RequestOutcome.BadBody(evaluation.Problem, body);
            }

            if (!double.IsFinite(evaluation.Workload) || evaluation.Workload < 0)
            {
                return RequestOutcome.BadBody("the response reports a workload of " + evaluation.Workload.ToString(CultureInfo.InvariantCulture), body);
            }

            return RequestOutcome.Success(evaluation.Workload, evaluation.EstimateNote);
        }
    }

    /// <summary>"HTTP 500 ×7, timeout ×3", in the order first seen.</summary>
    private static string Summarize(IEnumerable<RequestOutcome> outcomes)
    {
        var counts = new List<(string Kind, int Count)>();
        foreach (var outcome in outcomes)
        {
            var index = counts.FindIndex(c => c.Kind == outcome.Kind);
            if (index < 0)
            {
                counts.Add((outcome.Kind, 1));
            }
            else
            {
                counts[index] = (outcome.Kind, counts[index].Count + 1);
            }
        }

        var builder = new StringBuilder();
        foreach (var (kind, count) in counts)
        {
            if (builder.Length > 0)
            {
                builder.Append(", ");
            }

            builder.Append(kind).Append(" ×").Append(count.ToString(CultureInfo.InvariantCulture));
        }

        return builder.ToString();
    }

    private static string FormatSeconds(TimeSpan span) =>
        span == Timeout.InfiniteTimeSpan ? "infinite time" : span.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s";

    /// <summary>Logs the first assumed workload once per benchmark, not once per response.</summary>
    private sealed class EstimateWarning(string name, ILogger logger)
    {
        private int _logged;

        public void Observe(RequestOutcome outcome)
        {
            if (outcome.EstimateNote is not null && Interlocked.Exchange(ref _logged, 1) == 0)
            {
                Log.WorkloadEstimated(logger, name, outcome.EstimateNote);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 350, EventName = "BenchmarkStarting", Level = LogLevel.Information,
            Message = "Benchmark {Benchmark}: {Runs} runs of {Concurrency} concurrent requests, warm-up {Warmup}")]
        public static partial void Starting(ILogger logger, string benchmark, int runs, int concurrency, string warmup);

        [LoggerMessage(EventId = 351, EventName = "BenchmarkWarmupSucceeded", Level = LogLevel.Information,
            Message = "Benchmark {Benchmark}: warm-up succeeded in {Seconds:0.###} s")]
        public static partial void WarmupSucceeded(ILogger logger, string benchmark, double seconds);

        [LoggerMessage(EventId = 352, EventName = "BenchmarkRunCompleted", Level = LogLevel.Information,
            Message = "Benchmark {Benchmark}: run {Run}/{Runs}: {Throughput:0.###} {Unit} ({Successes}/{Attempts} succeeded in {Seconds:0.###} s)")]
        public static partial void RunCompleted(ILogger logger, string benchmark, int run, int runs, double throughput, string unit, int successes, int attempts, double seconds);

        [LoggerMessage(EventId = 353, EventName = "BenchmarkRunHadFailures", Level = LogLevel.Warning,
            Message = "Benchmark {Benchmark}: run {Run}/{Runs}: {Failures}/{Attempts} requests failed ({Summary}); first error: {FirstError}")]
        public static partial void RunHadFailures(ILogger logger, string benchmark, int run, int runs, int failures, int attempts, string summary, string firstError);

        [LoggerMessage(EventId = 354, EventName = "BenchmarkCompleted", Level = LogLevel.Information,
            Message = "Benchmark {Benchmark}: max throughput {Throughput:0.###} {Unit} (best of {Runs} runs)")]
        public static partial void Completed(ILogger logger, string benchmark, double throughput, string unit, int runs);

        [LoggerMessage(EventId = 355, EventName = "BenchmarkWorkloadEstimated", Level = LogLevel.Warning,
            Message = "Benchmark {Benchmark}: {Note}")]
        public static partial void WorkloadEstimated(ILogger logger, string benchmark, string note);
    }
}
