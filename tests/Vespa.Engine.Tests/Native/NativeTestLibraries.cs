using Vespa.Engine.Native;

namespace Vespa.Engine.Tests.Native;

/// <summary>
/// The real llama.cpp libraries that the build copies into the test output's <c>native/</c> folder (fetched by
/// scripts/fetch-llama-native.sh). Tests that need them fail with a clear message when they are absent.
/// </summary>
internal static class NativeTestLibraries
{
    public static CollectingLogger Logger { get; } = new();

    public static string Directory => LlamaLibraryResolver.ResolveDirectory(null);

    /// <summary>Initialises the runtime from the default folder (idempotent; process-wide).</summary>
    public static LlamaRuntimeInfo Initialize()
    {
        Assert.True(
            File.Exists(Path.Combine(Directory, "libllama.v0.5.0.so")) || File.Exists(Path.Combine(Directory, "libllama.cuda.v0.5.0.so")),
            $"The llama.cpp libraries are not in {Directory}: the build fetches them with scripts/fetch-llama-native.sh (needs npm).");
        return LlamaRuntime.Initialize(null, Logger);
    }
}
