using System.Text;

namespace Vespa.Client.Output;

/// <summary>Splits a byte stream into UTF-8 text lines ending in LF, CRLF or CR (the SSE line ends), across chunk
/// boundaries.</summary>
internal sealed class LineSplitter
{
    private readonly List<byte> _partial = [];
    private bool _lastWasCr;

    /// <summary>The complete lines in <paramref name="chunk"/> (with what came before it), without their ends.</summary>
    public IEnumerable<string> Push(ReadOnlyMemory<byte> chunk)
    {
        var lines = new List<string>();
        foreach (var b in chunk.Span)
        {
            if (b == (byte)'\n' && _lastWasCr)
            {
                // The LF of a CRLF: the line already ended at the CR.
                _lastWasCr = false;
                continue;
            }

            _lastWasCr = b == (byte)'\r';
            if (b is (byte)'\n' or (byte)'\r')
            {
                lines.Add(Encoding.UTF8.GetString([.. _partial]));
                _partial.Clear();
            }
            else
            {
                _partial.Add(b);
            }
        }

        return lines;
    }

    /// <summary>The last line when the stream ended without a line end; <c>null</c> when there is none.</summary>
    public string? Flush()
    {
        if (_partial.Count == 0)
        {
            return null;
        }

        var line = Encoding.UTF8.GetString([.. _partial]);
        _partial.Clear();
        return line;
    }
}
