namespace Vespa.Worker.Reporting;

/// <summary>
/// <c>additional_disk_usage</c>: GB (2^30 bytes) of the root filesystem used now, as a delta to
/// the last value the autoscaler acknowledged (so a failed send does not lose growth, unlike the SDK).
/// </summary>
internal sealed class DiskUsageProbe
{
    private const double BytesPerGigabyte = 1024.0 * 1024 * 1024;

    private readonly string _root;
    private double _acknowledged;

    public DiskUsageProbe(string root = "/")
    {
        _root = root;
        _acknowledged = UsedGigabytes();
    }

    /// <summary>Used space now; 0 when the filesystem cannot be read.</summary>
    public double UsedGigabytes()
    {
        try
        {
            var drive = new DriveInfo(_root);
            return (drive.TotalSize - drive.AvailableFreeSpace) / BytesPerGigabyte;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return _acknowledged;
        }
    }

    public double DeltaSinceAcknowledged(double used) => used - _acknowledged;

    public void Acknowledge(double used) => _acknowledged = used;
}
