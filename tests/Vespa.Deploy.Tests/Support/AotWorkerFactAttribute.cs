namespace Vespa.Deploy.Tests.Support;

/// <summary>
/// A test of the Native AOT worker binary: reported as skipped, with the reason, unless <c>VESPA_AOT_WORKER</c> names
/// one. Publishing it takes minutes on a small machine, so the default test run does not; <c>.ci/run</c> publishes it
/// with <c>scripts/publish.sh</c> and sets the variable when <c>VESPA_CI_AOT=1</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class AotWorkerFactAttribute : FactAttribute
{
    public const string Variable = "VESPA_AOT_WORKER";

    public AotWorkerFactAttribute()
    {
        if (Binary is null)
        {
            Skip = $"{Variable} is not set (VESPA_CI_AOT=1 .ci/run publishes the Native AOT worker and sets it)";
        }
    }

    /// <summary>The binary to test, when the variable names an existing file.</summary>
    public static string? Binary =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } path && File.Exists(path) ? Path.GetFullPath(path) : null;
}
