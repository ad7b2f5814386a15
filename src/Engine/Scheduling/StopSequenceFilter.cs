using System.Text;

namespace Vespa.Engine.Scheduling;

/// <summary>
/// Applies OpenAI <c>stop</c> sequences to streamed text: text that could still be the start of a
/// stop sequence is held back until it is known not to be, and a found stop sequence ends the
/// output before it (the stop text itself is never emitted).
/// </summary>
internal sealed class StopSequenceFilter
{
    private readonly IReadOnlyList<string> _stops;
    private readonly StringBuilder _pending = new();

    public StopSequenceFilter(IReadOnlyList<string> stops)
    {
        _stops = stops;
    }

    /// <summary>Adds generated text; returns what may be emitted now and whether a stop sequence was hit.</summary>
    public (string Emit, bool Stopped) Push(string text)
    {
        if (_stops.Count == 0)
        {
            return (text, false);
        }

        _pending.Append(text);
        var pending = _pending.ToString();
        var first = -1;
        foreach (var stop in _stops)
        {
            var at = pending.IndexOf(stop, StringComparison.Ordinal);
            if (at >= 0 && (first < 0 || at < first))
            {
                first = at;
            }
        }

        if (first >= 0)
        {
            _pending.Clear();
            return (pending[..first], true);
        }

        var hold = HeldBack(pending);
        _pending.Clear();
        _pending.Append(pending, pending.Length - hold, hold);
        return (pending[..^hold], false);
    }

    /// <summary>Text held back at the end (no stop sequence followed).</summary>
    public string Flush()
    {
        var rest = _pending.ToString();
        _pending.Clear();
        return rest;
    }

    /// <summary>Length of the longest suffix of <paramref name="text"/> that is a proper prefix of a stop sequence.</summary>
    private int HeldBack(string text)
    {
        var longest = 0;
        foreach (var stop in _stops)
        {
            for (var length = Math.Min(stop.Length - 1, text.Length); length > longest; length--)
            {
                if (text.AsSpan(text.Length - length).SequenceEqual(stop.AsSpan(0, length)))
                {
                    longest = length;
                    break;
                }
            }
        }

        return longest;
    }
}
