namespace Vespa.Emulator;

/// <summary>The HTTP and CLI names of <see cref="EmulatorOperation"/>.</summary>
internal static class EmulatorOperationNames
{
    public static IReadOnlyList<EmulatorOperation> All { get; } = Enum.GetValues<EmulatorOperation>();

    public static string ToName(EmulatorOperation operation) => operation switch
    {
        EmulatorOperation.WorkerStatus => "worker_status",
        EmulatorOperation.DeleteRequests => "delete_requests",
        EmulatorOperation.Route => "route",
        EmulatorOperation.PubKey => "pubkey",
        EmulatorOperation.EndpointJobs => "endptjobs",
        _ => throw new ArgumentOutOfRangeException(nameof(operation), operation, null),
    };

    public static bool TryParse(string? name, out EmulatorOperation operation)
    {
        foreach (var candidate in All)
        {
            if (string.Equals(ToName(candidate), name, StringComparison.OrdinalIgnoreCase))
            {
                operation = candidate;
                return true;
            }
        }

        operation = default;
        return false;
    }
}
