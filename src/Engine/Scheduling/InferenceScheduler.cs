using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Vespa.Engine.Native;

namespace Vespa.Engine.Scheduling;

/// <summary>
/// Continuous batching over one llama.cpp context (llama-native.md §6), the way llama-server does it.
/// One dedicated thread owns the context, the batch and every sampler (a context is not thread-safe, and
/// llama_decode spins ggml worker threads, so it must not run on the thread pool). Each step it admits
/// waiting requests into free sequence ids, puts one token per generating sequence plus prompt chunks
/// of newcomers into a single batch, decodes once, and samples every sequence whose logits it asked for;
/// each sampled token goes to its request's output at once. A request submitted while others generate
/// joins at the next step. With nothing to do the thread blocks on a signal (no timeout, no polling,
/// no spinning: ggml's threads need the cores). A cancelled request's sequence is released on the next
/// step. With <see cref="InferenceSchedulerOptions.PromptCache"/> a released sequence keeps its KV cells,
/// and a new request takes the free sequence whose cells share the longest prefix with its prompt.
/// If the loop itself dies, every waiting and later request fails at once with the reason
/// (<see cref="FinishReason.Unavailable"/>, <see cref="EngineUnavailableException"/>).
/// </summary>
internal sealed partial class InferenceScheduler : IDisposable
{
    private readonly LlamaModel _model;
    private readonly LlamaContext _context;
    private readonly InferenceSchedulerOptions _options;
    private readonly ILogger _logger;
    // Not SingleReader: that channel cannot count, and the idle check reads Count.
    private readonly Channel<GenerationRequest> _pending = Channel.CreateUnbounded<GenerationRequest>();

    // Set by Submit and Dispose; the idle inference thread blocks on it. spinCount 0: a waiting thread must not
    // spin on the cores ggml's threads are about to use.
    private readonly ManualResetEventSlim _work = new(false, spinCount: 0);
    private readonly List<ActiveSequence> _active = [];
    private readonly List<ActiveSequence> _stepped = [];
    private readonly SequenceSlot[] _slots;
    private readonly Thread _thread;
    private readonly TaskCompletionSource<string> _failed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly int _sequenceContext;
    private volatile bool _stopping;
    private volatile string? _failure;
    private long _releases;
    private long _generatedTokens;
    private long _promptTokens;
    private long _reusedPromptTokens;
    private long _steps;
    private long _idleWaits;
    private int _activeCount;

    public InferenceScheduler(LlamaModel model, LlamaContext context, InferenceSchedulerOptions options, ILogger logger)
    {
        _model = model;
        _context = context;
        _options = options;
        _logger = logger;
        _sequenceContext = (int)context.SequenceContextSize;
        _slots = new SequenceSlot[options.MaxSequences];
        for (var id = 0; id < _slots.Length; id++)
        {
            _slots[id] = new SequenceSlot(id);
        }

        _thread = new Thread(Run) { IsBackground = true, Name = "vespa-inference" };
        _thread.Start();
    }

    /// <summary>Tokens generated since start (for tokens-per-second metrics).</summary>
    public long GeneratedTokens => Interlocked.Read(ref _generatedTokens);

    /// <summary>Prompt tokens decoded since start (reused ones are not decoded and not counted).</summary>
    public long PromptTokens => Interlocked.Read(ref _promptTokens);

    /// <summary>Prompt tokens whose KV cells were reused from the previous request in the same sequence.</summary>
    public long ReusedPromptTokens => Interlocked.Read(ref _reusedPromptTokens);

    /// <summary>Sequences in the batch now.</summary>
    public int ActiveSequences => Volatile.Read(ref _activeCount);

    /// <summary>Requests submitted and not yet admitted into a sequence.</summary>
    public int PendingRequests => _pending.Reader.Count;

    /// <summary>KV cells one sequence can use (<c>llama_n_ctx_seq</c>): the longest prompt plus generation.</summary>
    public int ContextSize => _sequenceContext;

    /// <summary>Decode steps run since start.</summary>
    internal long Steps => Interlocked.Read(ref _steps);

    /// <summary>How often the inference thread found nothing to do and blocked until a request or the stop came.</summary>
    internal long IdleWaits => Interlocked.Read(ref _idleWaits);

    /// <summary>The inference thread (tests look at its state).</summary>
    internal Thread Thread => _thread;

    /// <summary>Why the inference loop died; <c>null</c> while it runs.</summary>
    public string? FailureReason => _failure;

    /// <summary>Completes with <see cref="FailureReason"/> when the inference loop dies; never otherwise.</summary>
    public Task<string> Failed => _failed.Task;

    /// <summary>
    /// Fault seam for tests: runs on the inference thread before every decode step. Whatever it throws ends the
    /// loop exactly as a failure inside a step would (a native fault surfacing as an exception, a bug).
    /// </summary>
    internal Action? BeforeStep { get; set; }

    /// <summary>Queues a generation; read its <see cref="GenerationRequest.Output"/> for the text.</summary>
    /// <exception cref="EngineUnavailableException">The inference loop died; the message says why.</exception>
    public GenerationRequest Submit(int[] promptTokens, LlamaSamplingOptions sampling, int maxTokens, IReadOnlyList<string> stop, bool ignoreEos, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(promptTokens);
        ArgumentOutOfRangeException.ThrowIfZero(promptTokens.Length);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTokens, 1);
        var request = new GenerationRequest(promptTokens, sampling, maxTokens, stop, ignoreEos, cancellationToken);

        // The loop completes the channel after setting _failure, so a refused write always finds the reason.
        if (!_pending.Writer.TryWrite(request))
        {
            if (_failure is { } failure)
            {
                throw new EngineUnavailableException(failure);
            }

            throw new ObjectDisposedException(nameof(InferenceScheduler));
        }

        _work.Set();
        return request;
    }

    private void Run()
    {
        string? failure = null;
        try
        {
            using var batch = new LlamaBatchBuffer(_options.BatchSize, 1);
            while (WaitForWork())
            {
                AdmitPending();
                DropCancelled();
                if (_active.Count > 0)
                {
                    Step(batch);
                }
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            failure = $"the inference loop failed: {ex.GetType().Name}: {ex.Message}";
            Log.LoopFailed(_logger, ex);
        }
        finally
        {
            Close(failure);
        }
    }

    /// <summary>Blocks while there is nothing to do; false when stopping.</summary>
    private bool WaitForWork()
    {
        while (!_stopping)
        {
            if (_active.Count > 0 || _pending.Reader.Count > 0)
            {
                return true;
            }

            // Reset, then look again: a Submit between the look above and the Reset has set the event after
            // writing, and the second look sees its request, so no wake-up is lost.
            _work.Reset();
            if (_pending.Reader.Count > 0 || _stopping)
            {
                continue;
            }

            Interlocked.Increment(ref _idleWaits);
            _work.Wait();
        }

        return false;
    }

    /// <summary>Ends every waiting and running request: cancelled when stopping, unavailable when the loop died.</summary>
    private void Close(string? failure)
    {
        var reason = FinishReason.Cancelled;
        if (failure is not null)
        {
            reason = FinishReason.Unavailable;
            _failure = failure;
            _pending.Writer.TryComplete();
            _failed.TrySetResult(failure);
        }

        foreach (var sequence in _active.ToArray())
        {
            try
            {
                Finish(sequence, reason);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // The context may be what broke; the request is told anyway (below, by completing its output).
                Log.ReleaseFailed(_logger, sequence.SequenceId, ex);
                sequence.Request.Writer.TryWrite(new GenerationEvent("", reason, sequence.Request.PromptTokens.Length, sequence.Generated, failure));
                sequence.Request.Writer.TryComplete();
            }
        }

        while (_pending.Reader.TryRead(out var request))
        {
            request.Writer.TryWrite(new GenerationEvent("", reason, request.PromptTokens.Length, 0, failure));
            request.Writer.TryComplete();
        }
    }

    /// <summary>Moves waiting requests into free sequence ids.</summary>
    private void AdmitPending()
    {
        while (_active.Count < _slots.Length && _pending.Reader.TryRead(out var request))
        {
            if (request.CancellationToken.IsCancellationRequested)
            {
                request.Writer.TryWrite(new GenerationEvent("", FinishReason.Cancelled, request.PromptTokens.Length, 0));
                request.Writer.TryComplete();
                continue;
            }

            var prompt = request.PromptTokens;
            var (slot, reused) = TakeSlot(prompt);
            var sampler = LlamaSampler.CreateChain(request.Sampling, _model.Vocab.NTokens);
            _active.Add(new ActiveSequence(request, slot, sampler, reused));
            Volatile.Write(ref _activeCount, _active.Count);
            Interlocked.Add(ref _reusedPromptTokens, reused);
            if (prompt.Length >= _sequenceContext)
            {
                Finish(_active[^1], FinishReason.Length);
            }
        }
    }

    /// <summary>
    /// The free sequence whose cells share the longest prefix with <paramref name="prompt"/> (else the least recently
    /// used one), trimmed to that prefix. At least the prompt's last token is always decoded again: its logits give the
    /// first generated token.
    /// </summary>
    private (SequenceSlot Slot, int Reused) TakeSlot(int[] prompt)
    {
        SequenceSlot? best = null;
        var bestPrefix = -1;
        foreach (var slot in _slots)
        {
            if (slot.Busy)
            {
                continue;
            }

            var prefix = _options.PromptCache ? slot.CommonPrefix(prompt) : 0;
            if (prefix > bestPrefix || (prefix == bestPrefix && slot.ReleasedAt < best!.ReleasedAt))
            {
                best = slot;
                bestPrefix = prefix;
            }
        }

        var chosen = best ?? throw new InvalidOperationException("No free sequence id although fewer requests are active than there are sequences.");
        chosen.Busy = true;
        var keep = Math.Min(bestPrefix, prompt.Length - 1);
        if (chosen.Cached.Count > keep)
        {
            // Removing a tail can fail for recurrent memories; then the whole sequence goes.
            if (keep == 0 || !_context.RemoveSequenceTokens(chosen.Id, keep))
            {
                _context.RemoveSequence(chosen.Id);
                keep = 0;
            }

            chosen.Cached.RemoveRange(keep, chosen.Cached.Count - keep);
        }

        return (chosen, keep);
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
        BeforeStep?.Invoke();

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

        // Step 2: decode. 1 means no free KV cell: cells cached by idle sequences go first; when there are none, the
        // longest sequence ends with "length". Either way the step is built again.
        Interlocked.Increment(ref _steps);
        var code = _context.Decode(batch);
        if (code == 1)
        {
            if (EvictIdleCaches())
            {
                return;
            }

            var longest = _active.MaxBy(s => s.Position + s.AddedThisStep)!;
            Log.ContextFull(_logger, longest.SequenceId, longest.Position);
            Finish(longest, FinishReason.Length, keepCells: false);
            return;
        }

        if (code != 0)
        {
            Log.DecodeFailed(_logger, code, _active.Count);
            foreach (var sequence in _active.ToArray())
            {
                Finish(sequence, FinishReason.Error, keepCells: false);
            }

            return;
        }

        // Step 3: advance positions, record what the cells now hold, then sample every sequence that asked for logits.
        // (Over a copy: a finished sequence leaves _active. The copy's list is reused, no garbage per step.)
        _stepped.Clear();
        _stepped.AddRange(_active);
        foreach (var sequence in _stepped)
        {
            var cached = sequence.Slot.Cached;
            if (!sequence.PromptDone)
            {
                cached.AddRange(sequence.Request.PromptTokens.AsSpan(sequence.PromptDecoded, sequence.AddedThisStep));
                sequence.PromptDecoded += sequence.AddedThisStep;
                Interlocked.Add(ref _promptTokens, sequence.AddedThisStep);
            }
            else if (sequence.AddedThisStep > 0)
            {
                cached.Add(sequence.LastToken);
            }

            sequence.Position += sequence.AddedThisStep;
            if (sequence.LogitsIndex >= 0)
            {
                Accept(sequence, sequence.Sampler.Sample(_context, sequence.LogitsIndex));
            }
        }
    }

    /// <summary>Frees the cells that free sequences keep for prompt reuse; false when there were none.</summary>
    private bool EvictIdleCaches()
    {
        var evicted = false;
        foreach (var slot in _slots)
        {
            if (!slot.Busy && slot.Cached.Count > 0)
            {
                _context.RemoveSequence(slot.Id);
                slot.Cached.Clear();
                evicted = true;
            }
        }

        return evicted;
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
            // Unbounded, without synchronous continuations: the reader's HTTP write runs on the thread pool, never here.
            request.Writer.TryWrite(new GenerationEvent(emit));
        }

        if (stopped)
        {
            Finish(sequence, FinishReason.Stop, flushText: false);
        }
        else if (sequence.Generated >= request.MaxTokens || sequence.Position + 1 >= _sequenceContext)
        {
            Finish(sequence, FinishReason.Length);
        }
        else
        {
            sequence.LastToken = token;
        }
    }

    private void Finish(ActiveSequence sequence, FinishReason reason, bool flushText = true, bool keepCells = true)
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

        writer.TryWrite(new GenerationEvent("", reason, sequence.Request.PromptTokens.Length, sequence.Generated, reason == FinishReason.Unavailable ? _failure : null));
        writer.TryComplete();

        // Release the sequence at once, so the next request gets it. Its cells stay for prompt reuse when they hold
        // exactly what Cached says (a failed decode or a dead loop leaves them unknown).
        var slot = sequence.Slot;
        if (!_options.PromptCache || !keepCells || reason is FinishReason.Error or FinishReason.Unavailable)
        {
            slot.Cached.Clear();
            _context.RemoveSequence(slot.Id);
        }

        slot.Busy = false;
        slot.ReleasedAt = ++_releases;
        _active.Remove(sequence);
        Volatile.Write(ref _activeCount, _active.Count);
        sequence.Dispose();
    }

    public void Dispose()
    {
        _stopping = true;
        _pending.Writer.TryComplete();
        _work.Set();
        if (_thread.Join(TimeSpan.FromSeconds(30)))
        {
            _work.Dispose();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 520, EventName = "InferenceLoopFailed", Level = LogLevel.Critical, Message = "The inference loop failed; generation stops, waiting and later requests get 503")]
        public static partial void LoopFailed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 521, EventName = "ContextFull", Level = LogLevel.Warning, Message = "Context full: sequence {Sequence} ends at {Position} tokens with finish_reason length")]
        public static partial void ContextFull(ILogger logger, int sequence, int position);

        [LoggerMessage(EventId = 522, EventName = "DecodeFailed", Level = LogLevel.Error, Message = "llama_decode returned {Code}; {Count} generations abandoned")]
        public static partial void DecodeFailed(ILogger logger, int code, int count);

        [LoggerMessage(EventId = 523, EventName = "SequenceReleaseFailed", Level = LogLevel.Error, Message = "Sequence {Sequence} could not be released after the loop failed")]
        public static partial void ReleaseFailed(ILogger logger, int sequence, Exception exception);
    }
}
