using Vespa.Engine.Api;

namespace Vespa.Worker.Hosting;

/// <summary>
/// The in-process engine when no <c>VESPA_BACKEND_URL</c> is set (else <see cref="Server"/> stays
/// null). Readiness asks it why the engine is off, so a missing native library or an unloadable
/// model becomes an <c>error_msg</c> at once instead of a 20-minute readiness timeout.
/// </summary>
internal sealed class EmbeddedBackend
{
    public EngineServer? Server { get; set; }

    /// <summary>Why the embedded engine could not start; <c>null</c> when it runs, loads, or is not used.</summary>
    public string? FailureReason => Server?.LoadError is { } error
        ? $"embedded engine unavailable: {error} (set VESPA_BACKEND_URL to use an external inference server)"
        : null;
}
