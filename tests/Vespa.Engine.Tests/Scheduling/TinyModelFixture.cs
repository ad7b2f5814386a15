using Microsoft.Extensions.Logging.Abstractions;
using Vespa.Engine.Models;

namespace Vespa.Engine.Tests.Scheduling;

/// <summary>
/// The generated tiny model (llama-native.md §5.2), loaded once per test class with 4 parallel
/// sequences. Needs the native libraries, which the build fetches.
/// </summary>
public sealed class TinyModelFixture : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "vespa-engine-tests-" + Guid.NewGuid().ToString("N"));

    public TinyModelFixture()
    {
        Directory.CreateDirectory(_directory);
        ModelPath = Path.Combine(_directory, "tiny.gguf");
        DemoModel.Generate(ModelPath, DemoModelOptions.Tiny);
        Engine = LoadEngine(parallel: 4);
    }

    public string ModelPath { get; }

    internal LlamaEngine Engine { get; }

    /// <summary>
    /// An engine over the tiny model. The context is split between the sequences (one KV stream each, as the worker
    /// runs it), so the default leaves every sequence room for the long-prompt test.
    /// </summary>
    internal LlamaEngine LoadEngine(int parallel, int contextSize = 4096, bool promptCache = true) =>
        LlamaEngine.Load(ModelPath, new EngineOptions { ParallelSequences = parallel, ContextSize = contextSize, Threads = 1, GpuLayers = 0, PromptCache = promptCache }, NullLoggerFactory.Instance);

    public void Dispose()
    {
        Engine.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
