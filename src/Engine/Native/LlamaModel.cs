using System.Runtime.InteropServices;
using System.Text;

namespace Vespa.Engine.Native;

/// <summary>
/// A loaded GGUF model. Thread-safe for reading and tokenizing; one model may back several contexts
/// (llama-native.md §10 pitfall 9). Disposing it while contexts still use it is safe: the native model is freed
/// after its last context.
/// </summary>
internal sealed unsafe class LlamaModel : IDisposable
{
    private LlamaModel(SafeLlamaModelHandle handle, string path)
    {
        Handle = handle;
        Path = path;
        Vocab = new LlamaVocab(handle);
    }

    /// <summary>The native handle.</summary>
    public SafeLlamaModelHandle Handle { get; }

    /// <summary>The file the model was loaded from.</summary>
    public string Path { get; }

    /// <summary>The tokenizer.</summary>
    public LlamaVocab Vocab { get; }

    /// <summary>The model's default chat template (usually a Jinja string), or null when it has none.</summary>
    public string? ChatTemplate => Marshal.PtrToStringUTF8(LlamaNative.llama_model_chat_template(Handle, null));

    /// <summary>A short description of the model type, e.g. <c>llama ?B all F32</c>.</summary>
    public string Description => ReadString((buf, size) => LlamaNative.llama_model_desc(Handle, buf, size)) ?? string.Empty;

    /// <summary>The number of parameters.</summary>
    public ulong ParameterCount => LlamaNative.llama_model_n_params(Handle);

    /// <summary>The size of all tensors in bytes.</summary>
    public ulong SizeInBytes => LlamaNative.llama_model_size(Handle);

    /// <summary>The context length the model was trained with (<c>n_ctx_train</c>).</summary>
    public int TrainContextLength => LlamaNative.llama_model_n_ctx_train(Handle);

    /// <summary>The embedding width.</summary>
    public int EmbeddingLength => LlamaNative.llama_model_n_embd(Handle);

    /// <summary>The number of layers.</summary>
    public int LayerCount => LlamaNative.llama_model_n_layer(Handle);

    /// <summary>The names accepted by <see cref="ApplyChatTemplate"/> (54 at v0.5.0: chatml, llama3, gemma, …).</summary>
    public static IReadOnlyList<string> BuiltinChatTemplates
    {
        get
        {
            LlamaRuntime.EnsureInitialized();
            var count = LlamaNative.llama_chat_builtin_templates(null, 0);
            if (count <= 0)
            {
                return [];
            }

            var pointers = new nint[count];
            fixed (nint* p = pointers)
            {
                count = Math.Min(count, LlamaNative.llama_chat_builtin_templates(p, (nuint)pointers.Length));
            }

            var names = new string[count];
            for (var i = 0; i < count; i++)
            {
                names[i] = Marshal.PtrToStringUTF8(pointers[i]) ?? string.Empty;
            }

            return names;
        }
    }

    /// <summary>Loads a GGUF file.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist (checked before the native call).</exception>
    /// <exception cref="InvalidOperationException">llama.cpp is not initialised, or could not load the file (the message has its log lines).</exception>
    public static LlamaModel Load(string path, LlamaModelOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= LlamaModelOptions.Default;
        LlamaRuntime.EnsureInitialized();

        // Checked in managed code for a proper exception instead of a native error line (LLamaSharp does the same).
        var fullPath = System.IO.Path.GetFullPath(path);
        if (!File.Exists(fullPath))
        {
            throw new FileNotFoundException($"The model file '{fullPath}' does not exist.", fullPath);
        }

        var parameters = LlamaNative.llama_model_default_params();
        parameters.n_gpu_layers = options.GpuLayers;
        parameters.main_gpu = options.MainGpu;
        parameters.load_mode = options.UseMmap ? LlamaLoadMode.Mmap : LlamaLoadMode.None;
        parameters.vocab_only = options.VocabOnly ? (byte)1 : (byte)0;

        LlamaRuntime.ClearNativeErrors();
        var handle = LlamaNative.llama_model_load_from_file(fullPath, parameters);
        if (handle.IsInvalid)
        {
            handle.Dispose();
            throw new InvalidOperationException($"llama.cpp could not load the model '{fullPath}': {LlamaRuntime.TakeNativeErrors()}");
        }

        return new LlamaModel(handle, fullPath);
    }

    /// <summary>
    /// Formats <paramref name="messages"/> with a built-in template: a name (<c>chatml</c>, <c>llama3</c>, …) or a
    /// Jinja string from which llama.cpp detects one by substring; null = <see cref="ChatTemplate"/>, else chatml.
    /// There is no Jinja engine in the C API (llama-native.md §10 pitfall 12).
    /// </summary>
    /// <exception cref="NotSupportedException">The template is not one llama.cpp knows.</exception>
    public string ApplyChatTemplate(string? template, IReadOnlyList<(string Role, string Content)> messages, bool addAssistant) =>
        ApplyBuiltinChatTemplate(template ?? ChatTemplate ?? "chatml", messages, addAssistant);

    /// <summary>
    /// Formats <paramref name="messages"/> with a built-in template (a name, or a Jinja string llama.cpp recognises);
    /// needs no model.
    /// </summary>
    /// <exception cref="NotSupportedException">The template is not one llama.cpp knows.</exception>
    public static string ApplyBuiltinChatTemplate(string template, IReadOnlyList<(string Role, string Content)> messages, bool addAssistant)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(messages);
        LlamaRuntime.EnsureInitialized();

        // All strings NUL-terminated in one pinned buffer.
        var offsets = new int[messages.Count * 2];
        var total = 0;
        for (var i = 0; i < messages.Count; i++)
        {
            offsets[2 * i] = total;
            total += Encoding.UTF8.GetByteCount(messages[i].Role) + 1;
            offsets[(2 * i) + 1] = total;
            total += Encoding.UTF8.GetByteCount(messages[i].Content) + 1;
        }

        var strings = new byte[Math.Max(total, 1)];
        for (var i = 0; i < messages.Count; i++)
        {
            Encoding.UTF8.GetBytes(messages[i].Role, strings.AsSpan(offsets[2 * i]));
            Encoding.UTF8.GetBytes(messages[i].Content, strings.AsSpan(offsets[(2 * i) + 1]));
        }

        var chat = new LlamaChatMessage[Math.Max(messages.Count, 1)];
        var output = new byte[Math.Max(256, 2 * total)];
        fixed (byte* s = strings)
        fixed (LlamaChatMessage* c = chat)
        {
            for (var i = 0; i < messages.Count; i++)
            {
                c[i].role = (nint)(s + offsets[2 * i]);
                c[i].content = (nint)(s + offsets[(2 * i) + 1]);
            }

            var length = Apply(template, c, messages.Count, addAssistant, output);
            if (length > output.Length)
            {
                // The function returns the full length and strncpy-truncates: grow and call again.
                output = new byte[length];
                length = Apply(template, c, messages.Count, addAssistant, output);
            }

            if (length < 0)
            {
                throw new NotSupportedException(
                    $"llama.cpp has no built-in chat template matching '{Shorten(template)}' (built-in names: see LlamaModel.BuiltinChatTemplates).");
            }

            return Encoding.UTF8.GetString(output, 0, length);
        }
    }

    /// <summary>A GGUF metadata value as a string (<c>general.name</c>, <c>llama.context_length</c>, …), or null when absent.</summary>
    public string? MetaValue(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        return ReadString((buf, size) => LlamaNative.llama_model_meta_val_str(Handle, key, buf, size));
    }

    public void Dispose() => Handle.Dispose();

    private static int Apply(string template, LlamaChatMessage* chat, int count, bool addAssistant, byte[] output)
    {
        fixed (byte* o = output)
        {
            return LlamaNative.llama_chat_apply_template(template, chat, (nuint)count, addAssistant, o, output.Length);
        }
    }

    /// <summary>Reads an <c>snprintf</c>-style string (returns the full length, or -1 when absent).</summary>
    private static string? ReadString(SnprintfCall call)
    {
        Span<byte> small = stackalloc byte[256];
        int length;
        fixed (byte* p = small)
        {
            length = call(p, (nuint)small.Length);
        }

        if (length < 0)
        {
            return null;
        }

        if (length < small.Length)
        {
            return Encoding.UTF8.GetString(small[..length]);
        }

        var large = new byte[length + 1];
        fixed (byte* p = large)
        {
            length = call(p, (nuint)large.Length);
        }

        return length < 0 ? null : Encoding.UTF8.GetString(large, 0, Math.Min(length, large.Length - 1));
    }

    private static string Shorten(string text) => text.Length <= 60 ? text : text[..60] + "…";

    private delegate int SnprintfCall(byte* buffer, nuint size);
}
