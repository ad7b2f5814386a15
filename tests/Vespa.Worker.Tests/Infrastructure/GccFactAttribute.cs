namespace Vespa.Worker.Tests.Infrastructure;

/// <summary>
/// A test that builds the fake NVML library: reported as skipped, with the reason, when gcc is not on PATH, so a
/// machine without a compiler never counts it as passed.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class GccFactAttribute : FactAttribute
{
    public GccFactAttribute()
    {
        if (FakeNvml.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}
