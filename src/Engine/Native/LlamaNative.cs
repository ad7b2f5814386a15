using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Vespa.Engine.Native;

/// <summary>
/// P/Invoke declarations for the llama.cpp v0.5.0 C API exactly as shipped in the npm package
/// <c>@node-llama-cpp/linux-x64@3.22.1</c> (llama-native.md §3), checked against <c>include/llama.h</c> and
/// <c>ggml/include/*.h</c> of that release (<c>node-llama-cpp@3.22.1/llama/gitRelease.bundle</c>, commit
/// <c>de3ff815</c>).
/// </summary>
/// <remarks>
/// <para>
/// Rules (llama-native.md §3, §10): every by-value struct is blittable; C <c>bool</c> parameters and returns are
/// <c>[MarshalAs(UnmanagedType.U1)]</c>; strings are UTF-8; returned <c>const char*</c> are <see cref="nint"/> read
/// with <see cref="Marshal.PtrToStringUTF8(nint)"/> and never freed; owned objects are SafeHandles, borrowed ones
/// (<c>llama_vocab*</c>, <c>llama_memory_t</c>, <c>ggml_backend_dev_t</c>) stay <see cref="nint"/>. The free
/// functions take <see cref="nint"/> because they are called from <c>ReleaseHandle</c>.
/// </para>
/// <para>
/// The logical library names below are mapped to the versioned files by <see cref="LlamaLibraryResolver"/>;
/// nothing here may be called before <see cref="LlamaRuntime.Initialize"/> succeeded.
/// </para>
/// </remarks>
internal static unsafe partial class LlamaNative
{
    /// <summary>Logical name of <c>libllama[.variant].v0.5.0.so</c>.</summary>
    public const string LlamaLibrary = "llama";

    /// <summary>Logical name of <c>libggml[.variant].v0.5.0.so</c> (the backend registry).</summary>
    public const string GgmlLibrary = "ggml";

    /// <summary>Logical name of <c>libggml-base.so</c> (devices, logging, abort).</summary>
    public const string GgmlBaseLibrary = "ggml-base";

    /// <summary><c>LLAMA_DEFAULT_SEED</c>: a random seed.</summary>
    public const uint DefaultSeed = 0xFFFFFFFF;

    /// <summary><c>LLAMA_TOKEN_NULL</c>.</summary>
    public const int TokenNull = -1;

    /// <summary><c>LLAMA_MAX_SEQ</c>.</summary>
    public const int MaxSequences = 256;

    // ---- init / log / version -------------------------------------------------------------------------------

    /// <summary><c>const char* llama_version(void)</c>: "0.5.0-dev" for the shipped binary.</summary>
    [LibraryImport(LlamaLibrary)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    internal static partial nint llama_version();

    [LibraryImport(LlamaLibrary)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    internal static partial void llama_backend_init();

    [LibraryImport(LlamaLibrary)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    internal static partial void llama_backend_free();

    /// <summary><c>void llama_log_set(ggml_log_callback, void*)</c>; also sets ggml's callback. Not thread-safe.</summary>
    [LibraryImport(LlamaLibrary)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    internal static partial void llama_log_set(delegate* unmanaged[Cdecl]<GgmlLogLevel, byte*, void*, void> callback, void* userData);

    [LibraryImport(LlamaLibrary)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    internal static partial nint llama_print_system_info();

    [LibraryImport(LlamaLibrary)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    internal static partial nuint llama_max_devices();

    [LibraryImport(LlamaLibrary)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    internal static partial nuint llama_max_parallel_sequences();

    [LibraryImport(LlamaLibrary)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    [return: MarshalAs(UnmanagedType.U1)]
    internal static partial bool llama_supports_mmap();

    [LibraryImport(LlamaLibrary)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    [return: MarshalAs(UnmanagedType.U1)]
    internal static partial bool llama_supports_gpu_offload();

    [LibraryImport(LlamaLibrary)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    internal static partial long llama_time_us();

    // ---- default params (by-value returns) ------------------------------------------------------------------

    [LibraryImport(LlamaLibrary)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    internal static partial LlamaModelParams llama_model_default_params();

    [LibraryImport(LlamaLibrary)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    internal static partial LlamaContextParams llama_context_default_params();

    [LibraryImport(LlamaLibrary)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    internal static partial LlamaSamplerChainParams llama_sampler_chain_default_params();
}
