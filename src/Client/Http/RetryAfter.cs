namespace Vespa.Client.Http;

/// <summary>Reads <c>Retry-After</c> (delta seconds or an HTTP date, RFC 9110 §10.2.3).</summary>
internal static class RetryAfter
{
    /// <summary>The wait the answer asks for, never negative; <c>null</c> without a usable header.</summary>
    public static TimeSpan? From(HttpResponseMessage response, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(time);
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }

        if (header?.Date is { } date)
        {
            var wait = date - time.GetUtcNow();
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }

        return null;
    }
}
