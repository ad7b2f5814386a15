using System.Threading.Channels;
using Vespa.Engine.Native;

namespace Vespa.Engine.Scheduling;

/// <summary>
/// One generation submitted to the <see cref="InferenceScheduler"/>: the tokenized prompt, how to
/// sample and when to stop. Results stream back through <see cref="Output"/>.
/// </summary>
internal sealed class GenerationRequest
{
    private readonly Channel<GenerationEvent> _output = Channel.CreateUnbounded<GenerationEvent>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

    internal GenerationRequest(int[] promptTokens, LlamaSamplingOptions sampling, int maxTokens, IReadOnlyList<string> stop, bool ignoreEos, CancellationToken cancellationToken)
    {
        PromptTokens = promptTokens;
        Sampling = sampling;
        MaxTokens = maxTokens;
        Stop = stop;
        IgnoreEos = ignoreEos;
        CancellationToken = cancellationToken;
    }

    internal int[] PromptTokens { get; }

    internal LlamaSamplingOptions Sampling { get; }

    public int MaxTokens { get; }

    public IReadOnlyList<string> Stop { get; }

    /// <summary>Keep generating past end-of-generation tokens (benchmarks measure exactly <see cref="MaxTokens"/>).</summary>
    public bool IgnoreEos { get; }

    public CancellationToken CancellationToken { get; }

    /// <summary>Text pieces as they are generated, then one <see cref="GenerationEvent"/> with a finish reason.</summary>
    public ChannelReader<GenerationEvent> Output => _output.Reader;

    internal ChannelWriter<GenerationEvent> Writer => _output.Writer;
}
