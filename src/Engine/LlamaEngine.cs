using Microsoft.Extensions.Logging;
using Vespa.Engine.Native;
using Vespa.Engine.Scheduling;

namespace Vespa.Engine;

/// <summary>
/// The embedded engine: one model, one context shared by <see cref="EngineOptions.ParallelSequences"/>
/// sequences, and the inference thread that batches them. Tokenization and chat formatting run on
/// the caller's thread (thread-safe in llama.cpp); decoding only on the scheduler's.
/// </summary>
internal sealed partial class LlamaEngine : IDisposable
{
    private readonly LlamaModel _model;
    private readonly LlamaContext _context;

    private LlamaEngine(LlamaModel model, LlamaContext context, InferenceScheduler scheduler, string modelId, string chatTemplate, LlamaRuntimeInfo runtime)
    {
        _model = model;
        _context = context;
        Scheduler = scheduler;
        ModelId = modelId;
        ChatTemplate = chatTemplate;
        Runtime = runtime;
    }

    public InferenceScheduler Scheduler { get; }

    /// <summary>The id clients see in <c>/v1/models</c> and responses.</summary>
    public string ModelId { get; }

    public string ChatTemplate { get; }

    internal LlamaRuntimeInfo Runtime { get; }

    /// <summary>KV cells one request can use (prompt plus generated tokens).</summary>
    public int ContextSize => Scheduler.ContextSize;

    public string Description => _model.Description;

    /// <summary>Loads the model from a local GGUF file and starts the inference thread.</summary>
    public static LlamaEngine Load(string modelPath, EngineOptions options, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggers);
        var logger = loggers.CreateLogger<LlamaEngine>();
        var runtime = LlamaRuntime.Initialize(options.NativeDirectory, loggers.CreateLogger("Vespa.Engine.Native"));
        var model = LlamaModel.Load(modelPath, new LlamaModelOptions { GpuLayers = options.GpuLayers });
        try
        {
            // One core is left to the runtime and the HTTP path: ggml's workers spin at barriers, and a
            // preempted one stalls the others (llama-native.md §9 and its addendum).
            var threads = options.Threads > 0 ? options.Threads : Math.Max(1, Environment.ProcessorCount - 1);
            var unified = options.UnifiedKv ?? options.ParallelSequences == 1;
            var context = LlamaContext.Create(model, new LlamaContextOptions
            {
                ContextSize = (uint)options.ContextSize,
                BatchSize = (uint)options.BatchSize,
                UBatchSize = (uint)Math.Min(options.BatchSize, 512),
                MaxSequences = (uint)options.ParallelSequences,
                Threads = threads,
                ThreadsBatch = threads,
                UnifiedKv = unified,
            });
            InferenceScheduler scheduler;
            try
            {
                scheduler = new InferenceScheduler(model, context, new InferenceSchedulerOptions { MaxSequences = options.ParallelSequences, BatchSize = options.BatchSize, PromptCache = options.PromptCache }, loggers.CreateLogger<InferenceScheduler>());
            }
            catch
            {
                context.Dispose();
                throw;
            }

            var template = options.ChatTemplate ?? model.ChatTemplate ?? "chatml";
            var id = Path.GetFileNameWithoutExtension(modelPath);
            Log.Loaded(logger, id, model.Description, (int)context.ContextSize, scheduler.ContextSize, unified ? "unified" : "per sequence", options.ParallelSequences, threads, options.GpuLayers, options.PromptCache ? "on" : "off", runtime.HasGpu ? "GPU present" : "CPU only");
            return new LlamaEngine(model, context, scheduler, id, template, runtime);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Tokens of a prompt (special tokens such as <c>&lt;|im_start|&gt;</c> are parsed; BOS added as the model wants).</summary>
    public int[] Tokenize(string text) => _model.Vocab.Tokenize(text, addSpecial: true, parseSpecial: true);

    /// <summary>The chat formatted with the model's template, ending with the assistant's turn.</summary>
    public string FormatChat(IReadOnlyList<(string Role, string Content)> messages) => _model.ApplyChatTemplate(ChatTemplate, messages, addAssistant: true);

    public void Dispose()
    {
        Scheduler.Dispose();
        _context.Dispose();
        _model.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 501, EventName = "EngineLoaded", Level = LogLevel.Information, Message = "Engine loaded {Model} ({Description}): context {Context} cells, {SequenceContext} per sequence (KV {KvLayout}), {Parallel} parallel sequences, {Threads} threads, gpu layers {GpuLayers}, prompt cache {PromptCache}, {Devices}")]
        public static partial void Loaded(ILogger logger, string model, string description, int context, int sequenceContext, string kvLayout, int parallel, int threads, int gpuLayers, string promptCache, string devices);
    }
}
