using System.Text;
using Vespa.Client.Http;

namespace Vespa.Client.Output;

/// <summary>
/// Prints a worker's answer body. Streamed answers are shown as they arrive: SSE and NDJSON events as the tokens of
/// OpenAI chunks (<c>choices[0].delta.content</c>, <c>choices[0].text</c>) or else their data lines; other types as
/// text; <see cref="OutputMode.Raw"/> as the bytes received; <see cref="OutputMode.Json"/> as one JSON line per event.
/// Output is flushed after every event, so tokens appear as they are generated.
/// </summary>
/// <remarks>
/// On a terminal (<see cref="CliConsole.IsTerminal"/>, text mode) the answer is made readable and harmless: control
/// characters are shown escaped (<see cref="TerminalText"/>), a JSON answer is indented, and a binary one is not dumped.
/// Pipes and files get the text exactly as sent.
/// </remarks>
internal sealed class AnswerPrinter(CliConsole console, TimeProvider time)
{
    private const int BufferSize = 16 * 1024;

    /// <summary>Prints a stream whose first chunk was already read. Fails (as a report, not an exception) when the
    /// stream breaks or stays silent for <paramref name="idleTimeout"/>; throws only when
    /// <paramref name="cancellationToken"/> fires.</summary>
    public async Task<StreamReport> StreamAsync(string? mediaType, ReadOnlyMemory<byte> firstChunk, Stream? rest, OutputMode mode, TimeSpan idleTimeout, CancellationToken cancellationToken)
    {
        var sink = CreateSink(mediaType, mode);
        long bytes = 0;
        string? failure = null;
        using var idle = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, idle.Token);
        try
        {
            if (!firstChunk.IsEmpty)
            {
                bytes += firstChunk.Length;
                await sink.WriteAsync(firstChunk).ConfigureAwait(false);
            }

            if (rest is not null)
            {
                var buffer = new byte[BufferSize];
                while (true)
                {
                    idle.CancelAfter(idleTimeout);
                    var read = await rest.ReadAsync(buffer, linked.Token).ConfigureAwait(false);
                    if (read == 0)
                    {
                        break;
                    }

                    bytes += read;
                    await sink.WriteAsync(buffer.AsMemory(0, read)).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (idle.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            failure = $"no data for {idleTimeout.TotalSeconds:0.#}s (--idle-timeout)";
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            failure = TransportErrors.Describe(e);
        }

        await sink.CompleteAsync(ended: failure is null).ConfigureAwait(false);
        return new StreamReport(bytes, sink.Events, failure);
    }

    /// <summary>Prints a body read in full: the bytes as they are for <see cref="OutputMode.Raw"/> or binary types
    /// going to a pipe; text with a final line end; a note instead of binary bytes on a terminal.</summary>
    public async Task PrintBodyAsync(string? mediaType, byte[] body, OutputMode mode)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (mode == OutputMode.Raw || (!MediaTypes.IsText(mediaType) && !console.IsTerminal))
        {
            await console.Output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            await console.OutputStream.WriteAsync(body).ConfigureAwait(false);
            await console.OutputStream.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            return;
        }

        if (!MediaTypes.IsText(mediaType))
        {
            await console.Error.WriteLineAsync($"(a {body.Length}-byte {mediaType} answer; not shown on a terminal: redirect the output or use --raw)").ConfigureAwait(false);
            return;
        }

        var text = Encoding.UTF8.GetString(body);
        if (console.IsTerminal)
        {
            if (MediaTypes.IsJson(mediaType) && JsonOutput.TryIndent(body, out var indented))
            {
                text = indented;
            }

            text = TerminalText.Sanitize(text);
        }

        await console.Output.WriteAsync(text).ConfigureAwait(false);
        if (text.Length > 0 && text[^1] != '\n')
        {
            await console.Output.WriteLineAsync().ConfigureAwait(false);
        }

        await console.Output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
    }

    private IStreamSink CreateSink(string? mediaType, OutputMode mode)
    {
        if (mode == OutputMode.Raw)
        {
            return new RawSink(console, endWithNewline: false);
        }

        var terminal = mode == OutputMode.Text && console.IsTerminal;
        if (MediaTypes.IsEventStream(mediaType))
        {
            return new EventSink(console, mode == OutputMode.Json, sse: true, terminal);
        }

        if (MediaTypes.IsJsonLines(mediaType))
        {
            return new EventSink(console, mode == OutputMode.Json, sse: false, terminal);
        }

        if (mode == OutputMode.Json)
        {
            return new EventSink(console, json: true, sse: false, terminal: false);
        }

        if (terminal)
        {
            return !MediaTypes.IsText(mediaType) ? new HiddenBinarySink(console, mediaType)
                : MediaTypes.IsJson(mediaType) ? new JsonTextSink(console)
                : new TerminalTextSink(console);
        }

        return new RawSink(console, endWithNewline: MediaTypes.IsText(mediaType));
    }

    private interface IStreamSink
    {
        int Events { get; }

        ValueTask WriteAsync(ReadOnlyMemory<byte> chunk);

        ValueTask CompleteAsync(bool ended);
    }

    /// <summary>Bytes through unchanged; text that does not end a line gets one at the end (not with --raw).</summary>
    private sealed class RawSink(CliConsole console, bool endWithNewline) : IStreamSink
    {
        private bool _flushedText;
        private byte _last = (byte)'\n';

        public int Events => 0;

        public async ValueTask WriteAsync(ReadOnlyMemory<byte> chunk)
        {
            if (!_flushedText)
            {
                await console.Output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
                _flushedText = true;
            }

            if (!chunk.IsEmpty)
            {
                _last = chunk.Span[^1];
            }

            await console.OutputStream.WriteAsync(chunk).ConfigureAwait(false);
            await console.OutputStream.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        }

        public async ValueTask CompleteAsync(bool ended)
        {
            if (endWithNewline && _last != (byte)'\n')
            {
                await console.OutputStream.WriteAsync("\n"u8.ToArray()).ConfigureAwait(false);
            }

            await console.OutputStream.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>Text for a terminal: decoded as it arrives (a character split across chunks waits for its bytes) and
    /// shown with its control characters escaped.</summary>
    private sealed class TerminalTextSink(CliConsole console) : IStreamSink
    {
        private readonly Decoder _decoder = Encoding.UTF8.GetDecoder();
        private readonly TerminalText _text = new();
        private bool _endsWithNewline = true;

        public int Events => 0;

        public async ValueTask WriteAsync(ReadOnlyMemory<byte> chunk)
        {
            var chars = new char[_decoder.GetCharCount(chunk.Span, flush: false)];
            var count = _decoder.GetChars(chunk.Span, chars, flush: false);
            await WriteTextAsync(_text.Push(chars.AsSpan(0, count))).ConfigureAwait(false);
            await console.Output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        }

        public async ValueTask CompleteAsync(bool ended)
        {
            var chars = new char[_decoder.GetCharCount([], flush: true)];
            var count = _decoder.GetChars([], chars, flush: true);
            await WriteTextAsync(_text.Push(chars.AsSpan(0, count)) + _text.Flush()).ConfigureAwait(false);
            if (!_endsWithNewline)
            {
                await console.Output.WriteLineAsync().ConfigureAwait(false);
            }

            await console.Output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        }

        private async Task WriteTextAsync(string text)
        {
            if (text.Length > 0)
            {
                await console.Output.WriteAsync(text).ConfigureAwait(false);
                _endsWithNewline = text[^1] == '\n';
            }
        }
    }

    /// <summary>A JSON answer for a terminal: one document, so it is gathered and shown indented at the end (as it
    /// came, escaped, when it does not parse, e.g. because it broke).</summary>
    private sealed class JsonTextSink(CliConsole console) : IStreamSink
    {
        private readonly System.Buffers.ArrayBufferWriter<byte> _body = new();

        public int Events => 0;

        public ValueTask WriteAsync(ReadOnlyMemory<byte> chunk)
        {
            System.Buffers.BuffersExtensions.Write(_body, chunk.Span);
            return ValueTask.CompletedTask;
        }

        public async ValueTask CompleteAsync(bool ended)
        {
            var body = _body.WrittenSpan;
            var text = JsonOutput.TryIndent(body, out var indented) ? indented : Encoding.UTF8.GetString(body);
            text = TerminalText.Sanitize(text);
            await console.Output.WriteAsync(text).ConfigureAwait(false);
            if (text.Length > 0 && text[^1] != '\n')
            {
                await console.Output.WriteLineAsync().ConfigureAwait(false);
            }

            await console.Output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>A binary answer on a terminal: counted, not shown (as for a buffered one).</summary>
    private sealed class HiddenBinarySink(CliConsole console, string? mediaType) : IStreamSink
    {
        private long _bytes;

        public int Events => 0;

        public ValueTask WriteAsync(ReadOnlyMemory<byte> chunk)
        {
            _bytes += chunk.Length;
            return ValueTask.CompletedTask;
        }

        public async ValueTask CompleteAsync(bool ended) =>
            await console.Error.WriteLineAsync($"(a {_bytes}-byte {mediaType} answer; not shown on a terminal: redirect the output or use --raw)").ConfigureAwait(false);
    }

    /// <summary>SSE events (data lines joined, <c>[DONE]</c> skipped) or NDJSON lines, shown one by one; on a terminal
    /// with their control characters escaped.</summary>
    private sealed class EventSink(CliConsole console, bool json, bool sse, bool terminal) : IStreamSink
    {
        private readonly LineSplitter _lines = new();
        private readonly TerminalText _text = new();
        private readonly List<string> _data = [];
        private bool _endsWithNewline = true;

        public int Events { get; private set; }

        public async ValueTask WriteAsync(ReadOnlyMemory<byte> chunk)
        {
            foreach (var line in _lines.Push(chunk))
            {
                await LineAsync(line).ConfigureAwait(false);
            }

            await console.Output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        }

        public async ValueTask CompleteAsync(bool ended)
        {
            if (_lines.Flush() is { } last)
            {
                await LineAsync(last).ConfigureAwait(false);
            }

            if (sse && _data.Count > 0)
            {
                await DispatchAsync(string.Join('\n', _data)).ConfigureAwait(false);
                _data.Clear();
            }

            if (terminal && _text.Flush() is { Length: > 0 } held)
            {
                await console.Output.WriteAsync(held).ConfigureAwait(false);
                _endsWithNewline = false;
            }

            if (!_endsWithNewline)
            {
                await console.Output.WriteLineAsync().ConfigureAwait(false);
            }

            await console.Output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        }

        private async ValueTask LineAsync(string line)
        {
            if (!sse)
            {
                if (line.Trim().Length > 0)
                {
                    await DispatchAsync(line).ConfigureAwait(false);
                }

                return;
            }

            if (line.Length == 0)
            {
                if (_data.Count > 0)
                {
                    await DispatchAsync(string.Join('\n', _data)).ConfigureAwait(false);
                    _data.Clear();
                }

                return;
            }

            if (line.StartsWith("data:", StringComparison.Ordinal))
            {
                var value = line[5..];
                _data.Add(value.StartsWith(' ') ? value[1..] : value);
            }

            // Comments (':'), event:, id: and retry: lines name no text to show.
        }

        private async ValueTask DispatchAsync(string data)
        {
            Events++;
            if (data.Trim() == "[DONE]")
            {
                return;
            }

            if (json)
            {
                await console.Output.WriteLineAsync(JsonOutput.Line(data)).ConfigureAwait(false);
                return;
            }

            var token = StreamEvents.OpenAiToken(data);
            var text = token ?? data + "\n";
            if (terminal)
            {
                text = _text.Push(text);
            }

            if (text.Length > 0)
            {
                await console.Output.WriteAsync(text).ConfigureAwait(false);
                _endsWithNewline = text[^1] == '\n';
            }
        }
    }
}
