namespace Vespa.Core.Signatures;

/// <summary>
/// Python's <c>base64.b64decode(s)</c> in its default, non-validating mode (CPython's
/// <c>binascii.a2b_base64</c> with <c>strict_mode=False</c>), which is how the worker decodes the signature
/// (vast-protocol.md §2.3).
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Only the standard alphabet counts; other ASCII characters (spaces, newlines, <c>-</c>, <c>_</c>) are skipped,
/// so URL-safe base64 decodes to different bytes and the signature fails.</item>
/// <item>Padding is required: <c>"QUJDRA"</c> fails ("Incorrect padding").</item>
/// <item>Decoding stops at the first complete padding; whatever follows is ignored. An <c>=</c> that comes before two
/// data characters of a quad is skipped.</item>
/// <item>A non-ASCII character fails, as Python refuses to decode a <c>str</c> holding one.</item>
/// </list>
/// </remarks>
public static class PythonBase64
{
    private const byte Invalid = 0xFF;

    private static readonly byte[] DecodeTable = BuildDecodeTable();

    /// <summary>Decodes <paramref name="text"/>; <c>false</c> where Python would raise.</summary>
    public static bool TryDecode(string? text, out byte[] bytes)
    {
        if (text is null)
        {
            bytes = [];
            return false;
        }

        return TryDecode(text.AsSpan(), out bytes);
    }

    /// <summary>Decodes <paramref name="text"/>; <c>false</c> where Python would raise.</summary>
    public static bool TryDecode(ReadOnlySpan<char> text, out byte[] bytes)
    {
        bytes = [];

        // Python refuses a str with any non-ASCII character before it decodes anything.
        return System.Text.Ascii.IsValid(text) && TryDecodeAscii(text, out bytes);
    }

    /// <summary>Decodes UTF-8 text (the raw bytes of a JSON string without escapes): no string is made first. A
    /// non-ASCII byte fails, as a non-ASCII character does in <see cref="TryDecode(ReadOnlySpan{char}, out byte[])"/>.</summary>
    public static bool TryDecodeUtf8(ReadOnlySpan<byte> text, out byte[] bytes)
    {
        bytes = [];
        return System.Text.Ascii.IsValid(text) && TryDecodeAscii(text, out bytes);
    }

    private static bool TryDecodeAscii<T>(ReadOnlySpan<T> text, out byte[] bytes)
        where T : unmanaged, System.Numerics.IBinaryInteger<T>
    {
        bytes = [];
        var output = text.Length <= 1024 ? stackalloc byte[(text.Length * 3 / 4) + 3] : new byte[(text.Length * 3 / 4) + 3];
        var written = 0;
        var quadPosition = 0;
        var leftBits = 0;
        var pads = 0;
        foreach (var character in text)
        {
            var c = int.CreateTruncating(character);
            if (c == '=')
            {
                // Padding counts only once two data characters of the quad are in; a full pad ends the input.
                if (quadPosition >= 2 && quadPosition + ++pads >= 4)
                {
                    bytes = output[..written].ToArray();
                    return true;
                }

                continue;
            }

            var value = DecodeTable[c];
            if (value == Invalid)
            {
                continue;
            }

            pads = 0;
            switch (quadPosition)
            {
                case 0:
                    quadPosition = 1;
                    leftBits = value;
                    break;
                case 1:
                    quadPosition = 2;
                    output[written++] = (byte)((leftBits << 2) | (value >> 4));
                    leftBits = value & 0x0F;
                    break;
                case 2:
                    quadPosition = 3;
                    output[written++] = (byte)((leftBits << 4) | (value >> 2));
                    leftBits = value & 0x03;
                    break;
                default:
                    quadPosition = 0;
                    output[written++] = (byte)((leftBits << 6) | value);
                    leftBits = 0;
                    break;
            }
        }

        // An unfinished quad is "Incorrect padding" (or, with one character, an impossible length).
        if (quadPosition != 0)
        {
            return false;
        }

        bytes = output[..written].ToArray();
        return true;
    }

    private static byte[] BuildDecodeTable()
    {
        var table = new byte[128];
        Array.Fill(table, Invalid);
        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        for (var i = 0; i < Alphabet.Length; i++)
        {
            table[Alphabet[i]] = (byte)i;
        }

        return table;
    }
}
