namespace Vespa.Testing;

/// <summary>
/// A fault for a seam that runs on another thread (the engine's <c>InferenceScheduler.BeforeStep</c>): the first call
/// blocks until <see cref="Release"/>, so a test can line requests up while the step is held, then throws from it.
/// </summary>
public sealed class StepFault : IDisposable
{
    private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ManualResetEventSlim _release = new();

    /// <summary>Completes when the seam first ran.</summary>
    public Task Entered => _entered.Task;

    public void Release() => _release.Set();

    public void Run()
    {
        _entered.TrySetResult();
        _release.Wait(TaskTimeoutExtensions.Timeout);
        throw new InvalidOperationException("injected step fault");
    }

    public void Dispose() => _release.Dispose();
}
