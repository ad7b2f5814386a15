using System.Globalization;

namespace Vespa.Worker.Http;

/// <summary>
/// One control-plane HTTP attempt (health check, autoscaler post) bounded by its own timeout on
/// the injected clock. Returns <c>null</c> on success, else what went wrong as text for the log;
/// only the caller's own cancellation escapes as an exception.
/// </summary>
internal static class TimedHttpAttempt
{
    public static async Task<string?> RunAsync(TimeSpan timeout, TimeProvider time, Func<CancellationToken, Task<HttpResponseMessage>> send, Func<HttpResponseMessage, bool> succeeded, CancellationToken cancellationToken)
    {
        using var timer = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        try
        {
            using var response = await send(linked.Token);
            return succeeded(response) ? null : $"HTTP {(int)response.StatusCode}";
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return $"no answer within {timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)}s";
        }
        catch (HttpRequestException ex)
        {
            return ex.Message;
        }
    }
}
