using System.Runtime.InteropServices;
using System.Text;

namespace Vespa.Engine.Native;

/// <summary>
/// The tokenizer of a <see cref="LlamaModel"/> (a borrowed <c>llama_vocab*</c>). Thread-safe; every call holds a
/// reference on the model handle so the vocabulary cannot be freed under it.
/// </summary>
internal sealed unsafe class LlamaVocab
{
    private readonly SafeLlamaModelHandle _model;
    private readonly nint _vocab;
    private readonly int _count;

    internal LlamaVocab(SafeLlamaModelHandle model)
    {
        _model = model;
        _vocab = LlamaNative.llama_model_get_vocab(model);
        _count = LlamaNative.llama_vocab_n_tokens(_vocab);
    }

    /// <summary>The number of tokens.</summary>
    public int NTokens => _count;

    /// <summary>The tokenizer type (SPM, BPE, …).</summary>
    public LlamaVocabType Type
    {
        get
        {
            using var scope = new ModelScope(_model);
            return LlamaNative.llama_vocab_type(_vocab);
        }
    }

    /// <summary>Beginning-of-sequence token, or -1.</summary>
    public int Bos
    {
        get
        {
            using var scope = new ModelScope(_model);
            return LlamaNative.llama_vocab_bos(_vocab);
        }
    }

    /// <summary>End-of-sequence token, or -1.</summary>
    public int Eos
    {
        get
        {
            using var scope = new ModelScope(_model);
            return LlamaNative.llama_vocab_eos(_vocab);
        }
    }

    /// <summary>End-of-turn token, or -1.</summary>
    public int Eot
    {
        get
        {
            using var scope = new ModelScope(_model);
            return LlamaNative.llama_vocab_eot(_vocab);
        }
    }

    /// <summary>Whether tokenizing with <c>addSpecial</c> prepends BOS.</summary>
    public bool AddBos
    {
        get
        {
            using var scope = new ModelScope(_model);
            return LlamaNative.llama_vocab_get_add_bos(_vocab);
        }
    }

    /// <summary>Whether <paramref name="token"/> ends generation (EOS, EOT, …).</summary>
    public bool IsEog(int token)
    {
        using var scope = new ModelScope(_model);
        return LlamaNative.llama_vocab_is_eog(_vocab, token);
    }

    /// <summary>Whether <paramref name="token"/> is a control token.</summary>
    public bool IsControl(int token)
    {
        using var scope = new ModelScope(_model);
        return LlamaNative.llama_vocab_is_control(_vocab, token);
    }

    /// <summary>The raw vocabulary text of a token (e.g. <c>▁the</c>, <c>&lt;0x0A&gt;</c>).</summary>
    public string GetText(int token)
    {
        CheckToken(token);
        using var scope = new ModelScope(_model);
        return Marshal.PtrToStringUTF8(LlamaNative.llama_vocab_get_text(_vocab, token)) ?? string.Empty;
    }

    /// <summary>Tokenizes UTF-8 text.</summary>
    /// <param name="text">The text.</param>
    /// <param name="addSpecial">Add BOS/EOS as the model asks.</param>
    /// <param name="parseSpecial">Turn special-token text (<c>&lt;|im_start|&gt;</c>) into those tokens.</param>
    public int[] Tokenize(string text, bool addSpecial, bool parseSpecial)
    {
        ArgumentNullException.ThrowIfNull(text);
        var bytes = Encoding.UTF8.GetBytes(text);
        var tokens = new int[bytes.Length + 4];
        using var scope = new ModelScope(_model);
        var count = Tokenize(bytes, tokens, addSpecial, parseSpecial);
        if (count < 0)
        {
            // -(required count): grow and call again.
            tokens = new int[-count];
            count = Tokenize(bytes, tokens, addSpecial, parseSpecial);
        }

        if (count < 0)
        {
            throw new InvalidOperationException($"llama_tokenize failed ({count}).");
        }

        return count == tokens.Length ? tokens : tokens[..count];
    }

    /// <summary>The bytes of one token (not a whole character when a piece splits UTF-8: use a streaming decoder).</summary>
    /// <param name="token">The token.</param>
    /// <param name="special">Render special tokens as their text (otherwise they are empty).</param>
    public byte[] TokenToPiece(int token, bool special = false)
    {
        Span<byte> small = stackalloc byte[64];
        var length = TokenToPiece(token, small, special);
        if (length >= 0)
        {
            return small[..length].ToArray();
        }

        var large = new byte[-length];
        length = TokenToPiece(token, large, special);
        return length < 0 ? throw new InvalidOperationException($"llama_token_to_piece failed ({length}).") : large[..length];
    }

    /// <summary>
    /// Writes the bytes of one token into <paramref name="destination"/> without allocating; returns their count,
    /// or -(required size) when <paramref name="destination"/> is too small.
    /// </summary>
    public int TokenToPiece(int token, Span<byte> destination, bool special = false)
    {
        CheckToken(token);
        using var scope = new ModelScope(_model);
        fixed (byte* p = destination)
        {
            return LlamaNative.llama_token_to_piece(_vocab, token, p, destination.Length, 0, special);
        }
    }

    /// <summary>Turns tokens back into text.</summary>
    public string Detokenize(ReadOnlySpan<int> tokens, bool removeSpecial = false, bool unparseSpecial = false)
    {
        if (tokens.IsEmpty)
        {
            return string.Empty;
        }

        foreach (var token in tokens)
        {
            CheckToken(token);
        }

        using var scope = new ModelScope(_model);
        var buffer = new byte[Math.Max(64, tokens.Length * 8)];
        var length = Detokenize(tokens, buffer, removeSpecial, unparseSpecial);
        if (length < 0)
        {
            buffer = new byte[-length];
            length = Detokenize(tokens, buffer, removeSpecial, unparseSpecial);
        }

        return length < 0
            ? throw new InvalidOperationException($"llama_detokenize failed ({length}).")
            : Encoding.UTF8.GetString(buffer, 0, length);
    }

    private int Tokenize(byte[] text, int[] tokens, bool addSpecial, bool parseSpecial)
    {
        fixed (byte* t = text)
        fixed (int* o = tokens)
        {
            return LlamaNative.llama_tokenize(_vocab, t, text.Length, o, tokens.Length, addSpecial, parseSpecial);
        }
    }

    private int Detokenize(ReadOnlySpan<int> tokens, byte[] buffer, bool removeSpecial, bool unparseSpecial)
    {
        fixed (int* t = tokens)
        fixed (byte* b = buffer)
        {
            return LlamaNative.llama_detokenize(_vocab, t, tokens.Length, b, buffer.Length, removeSpecial, unparseSpecial);
        }
    }

    /// <summary>Out-of-range ids would read out of bounds in native code (no check there), so they are refused here.</summary>
    private void CheckToken(int token)
    {
        if ((uint)token >= (uint)_count)
        {
            throw new ArgumentOutOfRangeException(nameof(token), token, $"Token ids are 0..{_count - 1}.");
        }
    }

    /// <summary>Holds a reference on the model handle for the duration of a native call.</summary>
    private readonly ref struct ModelScope
    {
        private readonly SafeHandle _handle;

        public ModelScope(SafeHandle handle)
        {
            var added = false;
            handle.DangerousAddRef(ref added);
            _handle = handle;
        }

        public void Dispose() => _handle.DangerousRelease();
    }
}
