using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Vespa.Engine.Native;

namespace Vespa.Engine.Scheduling;

/// <summary>
/// Continuous batching over one llama.cpp context (llama-native.md §6). One dedicated thread owns
/// the context, the batch and every sampler (a context is not thread-safe, and llama_decode spins
/// ggml worker threads, so it must not run on the thread pool). Each step it admits waiting
/// requests into free sequence ids, puts one token per decoding sequence plus prompt chunks of
/// newcomers into a single batch, decodes once, and samples every sequence whose logits it asked
/// for. A cancelled request's KV cells are freed on the next step.
/// </summary>
internal sealed partial class InferenceScheduler : IDisposable
{
    private readonly LlamaModel _model;
    private readonly LlamaContext _context;
    private readonly InferenceSchedulerOptions _options;
    private readonly ILogger _logger;
    private readonly Channel<GenerationRequest> _pending = Channel.CreateUnbounded<GenerationRequest>(new UnboundedChannelOptions { SingleReader = true });
    private readonly List<ActiveSequence> _active = [];
    private readonly Stack<int> _freeSequenceIds = new();
    private readonly Thread _thread;
    private readonly CancellationTokenSource _stopping = new();
    private long _generatedTokens;
    private long _promptTokens;
    private int _activeCount;

    public InferenceScheduler(LlamaModel model, LlamaContext context, InferenceSchedulerOptions options, ILogger logger)
    {
        _model = model;
        _context = context;
        _options = options;
        _logger = logger;
        for (var id = options.MaxSequences - 1; id >= 0; id--)
        {
            _freeSequenceIds.Push(id);
        }

        _thread = new Thread(Run) { IsBackground = true, Name = "vespa-inference" };
        _thread.Start();
    }

    /// <summary>Tokens generated since start (for tokens-per-second metrics).</summary>
    public long GeneratedTokens => Interlocked.Read(ref _generatedTokens);

    /// <summary>Prompt tokens decoded since start.</summary>
    public long PromptTokens => Interlocked.Read(ref _promptTokens);

    /// <summary>Sequences in the batch now.</summary>
    public int ActiveSequences => Volatile.Read(ref _activeCount);

    public int ContextSize => (int)_context.ContextSize;

    /// <summary>Queues a generation; read its <see cref="GenerationRequest.Output"/> for the text.</summary>
    public GenerationRequest Submit(int[] promptTokens, LlamaSamplingOptions sampling, int maxTokens, IReadOnlyList<string> stop, bool ignoreEos, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(promptTokens);
        ArgumentOutOfRangeException.ThrowIfZero(promptTokens.Length);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTokens, 1);
        var request = new GenerationRequest(promptTokens, sampling, maxTokens, stop, ignoreEos, cancellationToken);
        ObjectDisposedException.ThrowIf(!_pending.Writer.TryWrite(request), this);

        return request;
    }

    private void Run()
    {
        using var batch = new LlamaBatchBuffer(_options.BatchSize, _options.MaxSequences);
        try
        {
            while (!_stopping.IsCancellationRequested)
            {
                if (!AdmitPending())
                {
                    break;
                }

                DropCancelled();
                if (_active.Count > 0)
                {
                    Step(batch);
                }
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.LoopFailed(_logger, ex);
        }
        finally
        {
            foreach (var sequence in _active.ToArray())
            {
                Finish(sequence, FinishReason.Cancelled);
            }

            while (_pending.Reader.TryRead(out var request))
            {
                request.Writer.TryWrite(new GenerationEvent("", FinishReason.Cancelled, request.PromptTokens.Length, 0));
                request.Writer.TryComplete();
            }
        }
    }

    /// <summary>Moves waiting requests into free sequence ids; blocks while there is nothing to do. False when stopping.</summary>
    private bool AdmitPending()
    {
        if (_active.Count == 0)
        {
            try
            {
                if (!_pending.Reader.WaitToReadAsync(_stopping.Token).AsTask().GetAwaiter().GetResult())
                {
                    return false;
                }
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }

        while (_freeSequenceIds.Count > 0 && _pending.Reader.TryRead(out var request))
        {
            if (request.CancellationToken.IsCancellationRequested)
            {
                request.Writer.TryWrite(new GenerationEvent("", FinishReason.Cancelled, request.PromptTokens.Length, 0));
                request.Writer.TryComplete();
                continue;
            }

            var id = _freeSequenceIds.Pop();
            var sampler = LlamaSampler.CreateChain(request.Sampling, _model.Vocab.NTokens);
            _active.Add(new ActiveSequence(request, id, sampler));
            Volatile.Write(ref _activeCount, _active.Count);
            if (request.PromptTokens.Length >= ContextSize)
            {
                Finish(_active[^1], FinishReason.Length);
            }
        }

        return true;
    }

    private void DropCancelled()
    {
        for (var i = _active.Count - 1; i >= 0; i--)
        {
            if (_active[i].Request.CancellationToken.IsCancellationRequested)
            {
                Finish(_active[i], FinishReason.Cancelled);
            }
        }
    }

    /// <summary>One decode: a token per generating sequence, then prompt chunks, then sampling.</summary>
    private void Step(LlamaBatchBuffer batch)
    {
        // Step 1: build the batch. Generating sequences first, so a long prompt never starves them.
        batch.Clear();
        var budget = _options.BatchSize;
        foreach (var sequence in _active)
        {
            sequence.AddedThisStep = 0;
            sequence.LogitsIndex = -1;
            if (sequence.PromptDone && budget > 0)
            {
                batch.Add(sequence.LastToken, sequence.Position, sequence.SequenceId, logits: true);
                sequence.AddedThisStep = 1;
                sequence.LogitsIndex = batch.Count - 1;
                budget--;
            }
        }

        foreach (var sequence in _active)
        {
            if (sequence.PromptDone || budget == 0)
            {
                continue;
            }

            var prompt = sequence.Request.PromptTokens;
            var take = Math.Min(prompt.Length - sequence.PromptDecoded, budget);
            for (var k = 0; k < take; k++)
            {
                var index = sequence.PromptDecoded + k;
                batch.Add(prompt[index], sequence.Position + k, sequence.SequenceId, logits: index == prompt.Length - 1);
            }

            sequence.AddedThisStep = take;
            if (sequence.PromptDecoded + take == prompt.Length)
            {
                sequence.LogitsIndex = batch.Count - 1;
            }

            budget -= take;
        }

        // Step 2: decode. 1 means no free KV cell: the longest sequence ends with "length" and the step is retried.
        var code = _context.Decode(batch);
        if (code == 1)
        {
            var longest = _active.MaxBy(s => s.Position + s.AddedThisStep)!;
            Log.ContextFull(_logger, longest.SequenceId, longest.Position);
            Finish(longest, FinishReason.Length);
            return;
        }

        if (code != 0)
        {
            Log.DecodeFailed(_logger, code, _active.Count);
            foreach (var sequence in _active.ToArray())
            {
                Finish(sequence, FinishReason.Error);
            }

            return;
        }

        // Step 3: advance positions, then sample every sequence that asked for logits.
        foreach (var sequence in _active.ToArray())
        {
            sequence.Position += sequence.AddedThisStep;
            if (!sequence.PromptDone)
            {
                sequence.PromptDecoded += sequence.AddedThisStep;
                Interlocked.Add(ref _promptTokens, sequence.AddedThisStep);
            }

            if (sequence.LogitsIndex >= 0)
            {
                Accept(sequence, sequence.Sampler.Sample(_context, sequence.LogitsIndex));
            }
        }
    }

    private void Accept(ActiveSequence sequence, int token)
    {
        var request = sequence.Request;
        if (!request.IgnoreEos && _model.Vocab.IsEog(token))
        {
            Finish(sequence, FinishReason.Stop);
            return;
        }

        sequence.Generated++;
        Interlocked.Increment(ref _generatedTokens);
        var text = sequence.Decode(_model.Vocab.TokenToPiece(token));
        var (emit, stopped) = sequence.Stops.Push(text);
        if (emit.Length > 0)
        {
            request.Writer.TryWrite(new GenerationEvent(emit));
        }

        if (stopped)
        {
            Finish(sequence, FinishReason.Stop, flushText: false);
        }
        else if (sequence.Generated >= request.MaxTokens || sequence.Position + 1 >= ContextSize)
        {
            Finish(sequence, FinishReason.Length);
        }
        else
        {
            sequence.LastToken = token;
        }
    }

    private void Finish(ActiveSequence sequence, FinishReason reason, bool flushText = true)
    {
        var writer = sequence.Request.Writer;
        if (flushText && reason is FinishReason.Stop or FinishReason.Length)
        {
            var rest = sequence.Stops.Flush() + sequence.Decode([], flush: true);
            if (rest.Length > 0)
            {
                writer.TryWrite(new GenerationEvent(rest));
            }
        }

        writer.TryWrite(new GenerationEvent("", reason, sequence.Request.PromptTokens.Length, sequence.Generated));
        writer.TryComplete();

        // Free the KV cells at once, so the next request gets the slot.
        _context.RemoveSequence(sequence.SequenceId);
        _active.Remove(sequence);
        Volatile.Write(ref _activeCount, _active.Count);
        _freeSequenceIds.Push(sequence.SequenceId);
        sequence.Dispose();
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _pending.Writer.TryComplete();
        _thread.Join(TimeSpan.FromSeconds(30));
        _stopping.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 520, EventName = "InferenceLoopFailed", Level = LogLevel.Critical, Message = "The inference loop failed; generation stops")]
        public static partial void LoopFailed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 521, EventName = "ContextFull", Level = LogLevel.Warning, Message = "Context full: sequence {Sequence} ends at {Position} tokens with finish_reason length")]
        public static partial void ContextFull(ILogger logger, int sequence, int position);

        [LoggerMessage(EventId = 522, EventName = "DecodeFailed", Level = LogLevel.Error, Message = "llama_decode returned {Code}; {Count} generations abandoned")]
        public static partial void DecodeFailed(ILogger logger, int code, int count);
    }
}
