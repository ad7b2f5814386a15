using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Vespa.Engine.Native;

/// <summary>ggml backend registry (<c>libggml.v0.5.0.so</c>) and base (<c>libggml-base.so</c>).</summary>
internal static unsafe partial class LlamaNative
{
    // ---- registry: libggml[.variant].v0.5.0.so ------------------------------------------------------------

    /// <summary>
    /// Loads every <c>libggml-&lt;backend&gt;-*.so</c> in <paramref name="dirPath"/>, keeping the best-scoring variant
    /// per backend. Must run before <c>llama_backend_init</c> (llama-native.md §4): the default search looks next to
    /// <c>/proc/self/exe</c>, which is the <c>dotnet</c> host. A backend with missing dependencies is skipped silently.
    /// </summary>
    [LibraryImport(GgmlLibrary, StringMarshalling = StringMarshalling.Utf8)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    internal static partial void ggml_backend_load_all_from_path(string? dirPath);

    [LibraryImport(GgmlLibrary)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    internal static partial void ggml_backend_load_all();

    /// <summary>Loads one backend file; unlike the scan, logs the <c>dlerror</c> when it fails. Returns the reg or NULL.</summary>
    [LibraryImport(GgmlLibrary, StringMarshalling = StringMarshalling.Utf8)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    internal static partial nint ggml_backend_load(string path);

    [LibraryImport(GgmlLibrary)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    internal static partial nuint ggml_backend_reg_count();

    [LibraryImport(GgmlLibrary)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    internal static partial nint ggml_backend_reg_get(nuint index);

    /// <summary>Case-insensitive lookup of a registered backend ("CPU", "CUDA"); NULL when absent.</summary>
    [LibraryImport(GgmlLibrary, StringMarshalling = StringMarshalling.Utf8)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    internal static partial nint ggml_backend_reg_by_name(string name);

    [LibraryImport(GgmlLibrary)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    internal static partial nuint ggml_backend_dev_count();

    [LibraryImport(GgmlLibrary)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    internal static partial nint ggml_backend_dev_get(nuint index);

    // ---- base: libggml-base.so ----------------------------------------------------------------------------

    [LibraryImport(GgmlBaseLibrary)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    internal static partial nint ggml_backend_reg_name(nint reg);

    [LibraryImport(GgmlBaseLibrary)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    internal static partial nint ggml_backend_dev_name(nint device);

    [LibraryImport(GgmlBaseLibrary)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    internal static partial nint ggml_backend_dev_description(nint device);

    [LibraryImport(GgmlBaseLibrary)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    internal static partial GgmlBackendDevType ggml_backend_dev_type(nint device);

    [LibraryImport(GgmlBaseLibrary)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    internal static partial void ggml_backend_dev_memory(nint device, nuint* free, nuint* total);

    /// <summary>
    /// <c>ggml_abort_callback_t ggml_set_abort_callback(ggml_abort_callback_t)</c> (exported by
    /// <c>libggml-base.so</c>): called by <c>ggml_abort</c> with the message instead of printing it and a
    /// backtrace; <c>abort()</c> follows regardless. Returns the previous callback.
    /// </summary>
    [LibraryImport(GgmlBaseLibrary)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    internal static partial nint ggml_set_abort_callback(delegate* unmanaged[Cdecl]<byte*, void> callback);
}
