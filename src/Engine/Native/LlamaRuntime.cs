using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Vespa.Engine.Native;

/// <summary>
/// Loads llama.cpp once per process: library resolver, backend loading from the native folder, backend init, ABI
/// guard, log and abort callbacks (llama-native.md §4, §10, §11).
/// </summary>
/// <remarks>
/// Process-global by necessity (house rule 13's documented exception): the native libraries, ggml's backend registry
/// and the llama.cpp log callback exist once per process. <see cref="Initialize"/> is thread-safe; the first success
/// wins and later calls with the same folder return the same <see cref="LlamaRuntimeInfo"/>. A failure before the
/// libraries were loaded (folder or file missing) can be retried; a failure after (ABI mismatch, no backend) is
/// final for the process.
/// </remarks>
internal static unsafe partial class LlamaRuntime
{
    private static readonly Lock Gate = new();
    private static LlamaRuntimeInfo? _info;
    private static LlamaUnavailableException? _failure;
    private static LlamaLogRouter? _log;
    private static string? _lastAbortMessage;

    /// <summary>Whether <see cref="Initialize"/> has succeeded in this process.</summary>
    public static bool IsInitialized => Volatile.Read(ref _info) is not null;

    /// <summary>The result of the successful <see cref="Initialize"/>, or null.</summary>
    public static LlamaRuntimeInfo? Info => Volatile.Read(ref _info);

    /// <summary>The message of the last <c>GGML_ASSERT</c>/<c>ggml_abort</c>, captured just before the process aborts.</summary>
    public static string? LastAbortMessage => Volatile.Read(ref _lastAbortMessage);

    /// <summary>
    /// Initialises llama.cpp from <paramref name="nativeDirectory"/> (null: <c>VESPA_NATIVE_DIR</c>, then
    /// <c>LLAMA_NATIVE_DIR</c>, then <c>native/</c> next to the app) and routes its log to <paramref name="logger"/>.
    /// </summary>
    /// <exception cref="LlamaUnavailableException">The libraries are absent, cannot be loaded, or do not match v0.5.0.</exception>
    public static LlamaRuntimeInfo Initialize(string? nativeDirectory, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(logger);
        var directory = LlamaLibraryResolver.ResolveDirectory(nativeDirectory);

        // Step 1: find the files and check they are ELF (no loading; a missing folder can be fixed and retried).
        var files = LlamaLibraryResolver.Locate(directory);

        lock (Gate)
        {
            if (_info is { } info)
            {
                if (string.Equals(info.NativeDirectory, directory, StringComparison.Ordinal))
                {
                    return info;
                }

                throw new LlamaUnavailableException(
                    $"llama.cpp is already initialised in this process from '{info.NativeDirectory}'; it cannot be initialised again from '{directory}'.");
            }

            if (_failure is { } failure)
            {
                throw new LlamaUnavailableException(failure.Message, failure);
            }

            try
            {
                info = InitializeCore(files, logger);
                Volatile.Write(ref _info, info);
                return info;
            }
            catch (LlamaUnavailableException ex) when (LlamaLibraryResolver.Loaded is not null)
            {
                // The libraries are in the process now: another attempt could only load a second copy.
                _failure = ex;
                throw;
            }
        }
    }

    /// <summary>Like <see cref="Initialize"/>, but returns the reason instead of throwing it.</summary>
    public static bool TryInitialize(
        string? nativeDirectory,
        ILogger logger,
        [NotNullWhen(true)] out LlamaRuntimeInfo? info,
        [NotNullWhen(false)] out string? reason)
    {
        try
        {
            info = Initialize(nativeDirectory, logger);
            reason = null;
            return true;
        }
        catch (LlamaUnavailableException ex)
        {
            info = null;
            reason = ex.Message;
            return false;
        }
    }

    /// <summary>Throws unless <see cref="Initialize"/> has succeeded (so no P/Invoke binds to a wrong library).</summary>
    internal static void EnsureInitialized()
    {
        if (!IsInitialized)
        {
            throw new InvalidOperationException(
                "llama.cpp is not initialised: call LlamaRuntime.Initialize (the worker does it at start) before using the engine.");
        }
    }

    /// <summary>Forgets the calling thread's native error lines before a call whose failure will be reported.</summary>
    internal static void ClearNativeErrors() => Volatile.Read(ref _log)?.ClearErrors();

    /// <summary>The native error lines logged on this thread since <see cref="ClearNativeErrors"/>, or a generic hint.</summary>
    internal static string TakeNativeErrors() =>
        Volatile.Read(ref _log)?.TakeErrors() ?? "no error was logged by llama.cpp";

    private static LlamaRuntimeInfo InitializeCore(LlamaLibraryFiles files, ILogger logger)
    {
        // Step 2: no gdb backtrace attempt on GGML_ASSERT (llama-native.md §10 pitfall 8). Native getenv() does not see
        // Environment.SetEnvironmentVariable on Unix, so libc's setenv is called too.
        SetNativeEnvironment("GGML_NO_BACKTRACE", "1");

        // Step 3: resolver + dlopen of the three libraries (throws LlamaUnavailableException with the dlerror).
        LlamaLibraryResolver.Load(files);

        // Step 4: log and abort callbacks first, so that everything below is logged through ILogger.
        var router = new LlamaLogRouter(logger);
        Volatile.Write(ref _log, router);
        LlamaNative.llama_log_set(&OnNativeLog, null);
        LlamaNative.ggml_set_abort_callback(&OnNativeAbort);

        // Step 5: ABI guard before any call that passes or interprets a struct.
        var version = Marshal.PtrToStringUTF8(LlamaNative.llama_version());
        var mismatches = LlamaAbiGuard.Check(
            version,
            LlamaNative.llama_model_default_params(),
            LlamaNative.llama_context_default_params(),
            LlamaNative.llama_sampler_chain_default_params());
        if (mismatches.Count > 0)
        {
            throw new LlamaUnavailableException(
                $"The llama.cpp library '{files.Llama}' does not match the v{LlamaLibraryResolver.ExpectedVersion} ABI these bindings were written for "
                + $"({string.Join("; ", mismatches)}). Use the pinned package: delete '{files.Directory}' and run {LlamaLibraryResolver.FetchScript}.");
        }

        // Step 6: backends from the native folder (the default search looks next to the dotnet host and finds nothing).
        LoadBackends(files, router.Logger);

        // Step 7: llama_backend_init (it would scan again only if no backend were registered).
        LlamaNative.llama_backend_init();

        // Step 8: what we got.
        var devices = ListDevices();
        var systemInfo = Marshal.PtrToStringUTF8(LlamaNative.llama_print_system_info()) ?? string.Empty;
        var info = new LlamaRuntimeInfo(version!, files.Directory, files.Llama, files.Variant, devices, systemInfo.Trim());
        var deviceList = string.Join(", ", devices.Select(Describe));
        Log.Initialized(logger, info.Version, info.LibraryFile, deviceList);
        return info;
    }

    private static void LoadBackends(LlamaLibraryFiles files, ILogger logger)
    {
        LlamaNative.ggml_backend_load_all_from_path(files.Directory);

        var gpuPackage = files.Variant is not null || File.Exists(Path.Combine(files.Directory, "libggml-cuda.so"));
        if (gpuPackage && !ListDevices().Any(d => d.IsGpu))
        {
            // node-llama-cpp's approach: the -cuda-ext package (CUDA 12 build) in fallback/ for older drivers.
            var fallback = Path.Combine(files.Directory, "fallback");
            if (LlamaNative.ggml_backend_reg_by_name("CUDA") == 0 && Directory.Exists(fallback))
            {
                LlamaNative.ggml_backend_load_all_from_path(fallback);
            }

            if (LlamaNative.ggml_backend_reg_by_name("CUDA") == 0)
            {
                // The scan skips a backend with missing dependencies silently; loading it directly logs the dlerror.
                var cuda = Path.Combine(files.Directory, "libggml-cuda.so");
                if (File.Exists(cuda))
                {
                    LlamaNative.ggml_backend_load(cuda);
                }
            }

            if (!ListDevices().Any(d => d.IsGpu))
            {
                Log.NoGpu(logger, files.Directory);
            }
        }

        if (LlamaNative.ggml_backend_dev_count() == 0)
        {
            throw new LlamaUnavailableException(
                $"No ggml backend could be loaded from '{files.Directory}' (expected libggml-cpu-*.so there; see the llama.cpp log). "
                + $"Run {LlamaLibraryResolver.FetchScript}.");
        }
    }

    private static List<LlamaDeviceInfo> ListDevices()
    {
        var count = (int)LlamaNative.ggml_backend_dev_count();
        var devices = new List<LlamaDeviceInfo>(count);
        for (var i = 0; i < count; i++)
        {
            var device = LlamaNative.ggml_backend_dev_get((nuint)i);
            if (device == 0)
            {
                continue;
            }

            nuint free = 0;
            nuint total = 0;
            LlamaNative.ggml_backend_dev_memory(device, &free, &total);
            devices.Add(new LlamaDeviceInfo(
                Marshal.PtrToStringUTF8(LlamaNative.ggml_backend_dev_name(device)) ?? string.Empty,
                Marshal.PtrToStringUTF8(LlamaNative.ggml_backend_dev_description(device)) ?? string.Empty,
                LlamaNative.ggml_backend_dev_type(device),
                free,
                total));
        }

        return devices;
    }

    private static string Describe(LlamaDeviceInfo d) =>
        $"{d.Name} ({d.Type}, {d.Description}, {d.TotalMemory / (1024 * 1024)} MiB)";

    private static void SetNativeEnvironment(string name, string value)
    {
        Environment.SetEnvironmentVariable(name, value);
        if (!OperatingSystem.IsLinux() || !NativeLibrary.TryLoad("libc.so.6", out var libc)
            || !NativeLibrary.TryGetExport(libc, "setenv", out var export))
        {
            return;
        }

        var setenv = (delegate* unmanaged[Cdecl]<byte*, byte*, int, int>)export;
        var nameBytes = Encoding.UTF8.GetBytes(name + "\0");
        var valueBytes = Encoding.UTF8.GetBytes(value + "\0");
        fixed (byte* n = nameBytes)
        fixed (byte* v = valueBytes)
        {
            _ = setenv(n, v, 0);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void OnNativeLog(GgmlLogLevel level, byte* text, void* userData)
    {
        // Called from native code, possibly on a native thread: an exception must never escape.
#pragma warning disable CA1031 // Do not catch general exception types
        try
        {
            Volatile.Read(ref _log)?.Write(level, Marshal.PtrToStringUTF8((nint)text));
        }
        catch (Exception)
        {
        }
#pragma warning restore CA1031
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void OnNativeAbort(byte* message)
    {
        // ggml calls abort() right after this returns: keep the message, write it where it survives (stderr, the
        // logger may be asynchronous), and never throw.
#pragma warning disable CA1031 // Do not catch general exception types
        try
        {
            var text = Marshal.PtrToStringUTF8((nint)message) ?? "(no message)";
            Volatile.Write(ref _lastAbortMessage, text);
            Console.Error.WriteLine($"vespa: llama.cpp fatal error, the process will abort: {text}");
            Console.Error.Flush();
            if (Volatile.Read(ref _log) is { } router)
            {
                router.Flush();
                Log.NativeAbort(router.Logger, text);
            }
        }
        catch (Exception)
        {
        }
#pragma warning restore CA1031
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 501, EventName = "LlamaInitialized", Level = LogLevel.Information,
            Message = "llama.cpp {Version} loaded from {LibraryFile}; devices: {Devices}")]
        public static partial void Initialized(ILogger logger, string version, string libraryFile, string devices);

        [LoggerMessage(EventId = 502, EventName = "LlamaNoGpu", Level = LogLevel.Warning,
            Message = "The GPU build of llama.cpp in {Directory} found no GPU (missing CUDA runtime libraries or no device; see the llama.cpp log above): running on the CPU")]
        public static partial void NoGpu(ILogger logger, string directory);

        [LoggerMessage(EventId = 503, EventName = "LlamaAborted", Level = LogLevel.Critical,
            Message = "llama.cpp fatal error, the process will abort: {AbortMessage}")]
        public static partial void NativeAbort(ILogger logger, string abortMessage);
    }
}
