using System.Globalization;
using System.Text;

namespace Vespa.Client.Output;

/// <summary>
/// Makes text from servers safe to show on a terminal: C0 controls (except line feed and tab), DEL and C1 controls
/// are shown escaped (<c>\x1b</c>, <c>\u009b</c>) instead of being obeyed, so a worker cannot move the cursor, change
/// colours, retitle the window or clear the screen. A carriage return is kept only as part of CRLF (a lone one could
/// overwrite what was printed). Only for terminals: pipes and files get the bytes as sent.
/// </summary>
internal sealed class TerminalText
{
    private bool _pendingCr;

    /// <summary>All of <paramref name="text"/>, made safe.</summary>
    public static string Sanitize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var sanitizer = new TerminalText();
        return sanitizer.Push(text) + sanitizer.Flush();
    }

    /// <summary>Whether <paramref name="c"/> is a control character a terminal would act on.</summary>
    public static bool IsControl(char c) => (c < ' ' && c is not '\n' and not '\t') || c is >= '\u007f' and <= '\u009f';

    /// <summary>The next piece of a text that arrives in pieces (a CR at the end of one piece waits for the next).</summary>
    public string Push(ReadOnlySpan<char> text)
    {
        if (!_pendingCr && !text.ContainsAnyInRange('\0', '\u001f') && !text.ContainsAnyInRange('\u007f', '\u009f'))
        {
            return text.ToString();
        }

        var builder = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            if (_pendingCr)
            {
                _pendingCr = false;
                if (c == '\n')
                {
                    builder.Append("\r\n");
                    continue;
                }

                Escape(builder, '\r');
            }

            if (c == '\r')
            {
                _pendingCr = true;
            }
            else if (IsControl(c))
            {
                Escape(builder, c);
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    /// <summary>What is held back at the end of the text (a lone CR), made safe.</summary>
    public string Flush()
    {
        if (!_pendingCr)
        {
            return "";
        }

        _pendingCr = false;
        return "\\x0d";
    }

    private static void Escape(StringBuilder builder, char c) =>
        builder.Append(c <= '\u007f'
            ? "\\x" + ((int)c).ToString("x2", CultureInfo.InvariantCulture)
            : "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture));
}
