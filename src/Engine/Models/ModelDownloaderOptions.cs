namespace Vespa.Engine.Models;

/// <summary>Retry, progress and timeout settings of <see cref="ModelDownloader"/>.</summary>
public sealed record ModelDownloaderOptions
{
    /// <summary>
    /// How many attempts in a row may fail (transport errors, 5xx, 408, 429, a stalled or cut
    /// connection) before the download is given up. An attempt that received bytes resets the count,
    /// so a long download over a flaky link keeps resuming as long as it makes progress.
    /// </summary>
    /// <value>The default value is 5.</value>
    public int MaxAttempts { get; init; } = 5;

    /// <summary>The wait after the first failure; it doubles after each further failure in a row.</summary>
    /// <value>The default value is 1 second.</value>
    public TimeSpan InitialRetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <value>The default value is 30 seconds.</value>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Progress is logged at every 10 % and, in between (or when the size is unknown), at least this often.</summary>
    /// <value>The default value is 5 seconds.</value>
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// An attempt fails (and is retried) when the server sends nothing for this long: an idle
    /// timeout, not a total one, because a large model legitimately takes a long time.
    /// </summary>
    /// <value>The default value is 60 seconds.</value>
    public TimeSpan ReadTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <exception cref="ArgumentException">A value is out of range.</exception>
    public void Validate()
    {
        if (MaxAttempts < 1)
        {
            throw new ArgumentException($"MaxAttempts must be at least 1, not {MaxAttempts}.");
        }

        if (InitialRetryDelay < TimeSpan.Zero || MaxRetryDelay < InitialRetryDelay)
        {
            throw new ArgumentException("InitialRetryDelay must not be negative and MaxRetryDelay not below it.");
        }

        if (ProgressInterval <= TimeSpan.Zero || ReadTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("ProgressInterval and ReadTimeout must be positive.");
        }
    }
}
