using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Vespa.Engine.Native;

/// <summary>Vocabulary, tokenization and chat templates. <c>llama_vocab*</c> is borrowed from its model.</summary>
internal static unsafe partial class LlamaNative
{
    [LibraryImport(LlamaLibrary)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    internal static partial LlamaVocabType llama_vocab_type(nint vocab);

    [LibraryImport(LlamaLibrary)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    internal static partial int llama_vocab_n_tokens(nint vocab);

    [LibraryImport(LlamaLibrary)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    internal static partial nint llama_vocab_get_text(nint vocab, int token);

    [LibraryImport(LlamaLibrary)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    [return: MarshalAs(UnmanagedType.U1)]
    internal static partial bool llama_vocab_is_eog(nint vocab, int token);

    [LibraryImport(LlamaLibrary)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    [return: MarshalAs(UnmanagedType.U1)]
    internal static partial bool llama_vocab_is_control(nint vocab, int token);

    [LibraryImport(LlamaLibrary)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    internal static partial int llama_vocab_bos(nint vocab);

    [LibraryImport(LlamaLibrary)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    internal static partial int llama_vocab_eos(nint vocab);

    [LibraryImport(LlamaLibrary)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    internal static partial int llama_vocab_eot(nint vocab);

    [LibraryImport(LlamaLibrary)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    internal static partial int llama_vocab_nl(nint vocab);

    [LibraryImport(LlamaLibrary)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    [return: MarshalAs(UnmanagedType.U1)]
    internal static partial bool llama_vocab_get_add_bos(nint vocab);

    [LibraryImport(LlamaLibrary)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    [return: MarshalAs(UnmanagedType.U1)]
    internal static partial bool llama_vocab_get_add_eos(nint vocab);

    /// <summary>Returns the number of tokens, or -(required count) when <paramref name="nTokensMax"/> is too small.</summary>
    [LibraryImport(LlamaLibrary)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    internal static partial int llama_tokenize(
        nint vocab,
        byte* text,
        int textLen,
        int* tokens,
        int nTokensMax,
        [MarshalAs(UnmanagedType.U1)] bool addSpecial,
        [MarshalAs(UnmanagedType.U1)] bool parseSpecial);

    /// <summary>Returns the piece length, or -(required length); the piece is not NUL-terminated.</summary>
    [LibraryImport(LlamaLibrary)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    internal static partial int llama_token_to_piece(
        nint vocab,
        int token,
        byte* buf,
        int length,
        int lstrip,
        [MarshalAs(UnmanagedType.U1)] bool special);

    /// <summary>Returns the text length, or -(required length).</summary>
    [LibraryImport(LlamaLibrary)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    internal static partial int llama_detokenize(
        nint vocab,
        int* tokens,
        int nTokens,
        byte* text,
        int textLenMax,
        [MarshalAs(UnmanagedType.U1)] bool removeSpecial,
        [MarshalAs(UnmanagedType.U1)] bool unparseSpecial);

    /// <summary>
    /// Formats a chat with a built-in template (by name, or detected heuristically from a Jinja string; NULL =
    /// chatml). Returns the full length (the buffer is <c>strncpy</c>-filled, not NUL-terminated when too small;
    /// grow and retry) or -1 when the template is not recognised.
    /// </summary>
    [LibraryImport(LlamaLibrary, StringMarshalling = StringMarshalling.Utf8)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    internal static partial int llama_chat_apply_template(
        string? tmpl,
        LlamaChatMessage* chat,
        nuint nMsg,
        [MarshalAs(UnmanagedType.U1)] bool addAss,
        byte* buf,
        int length);

    /// <summary>Fills up to <paramref name="len"/> names and returns the total number of built-in templates.</summary>
    [LibraryImport(LlamaLibrary)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    internal static partial int llama_chat_builtin_templates(nint* output, nuint len);
}
