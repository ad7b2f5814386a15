using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace Vespa.Engine.Native;

/// <summary>
/// Maps the logical library names of <see cref="LlamaNative"/> (<c>llama</c>, <c>ggml</c>, <c>ggml-base</c>) to the
/// versioned files of the native directory, which .NET's default probing (<c>libllama.so</c>) would not find
/// (llama-native.md §3 "Library location", §10 pitfall 6).
/// </summary>
/// <remarks>
/// <para>
/// File names: <c>lib&lt;name&gt;(.&lt;variant&gt;)?(.v&lt;version&gt;)?.so</c>, so the CPU package
/// (<c>libllama.v0.5.0.so</c>), the CUDA package (<c>libllama.cuda.v0.5.0.so</c>) and a self-built
/// <c>libllama.so</c> all resolve. <c>libggml</c> is taken with the same variant and version as <c>libllama</c>,
/// because libllama's NEEDED entry names exactly that file: loading another copy would create a second backend
/// registry (llama-native.md §4).
/// </para>
/// <para>
/// Process-global by necessity (house rule 13's documented exception): one resolver per assembly, installed once,
/// and one copy of the libraries per process.
/// </para>
/// </remarks>
internal static partial class LlamaLibraryResolver
{
    /// <summary>Environment variable naming the native directory (first choice).</summary>
    public const string NativeDirVariable = "VESPA_NATIVE_DIR";

    /// <summary>Environment variable naming the native directory (llama-native.md §11's Dockerfile).</summary>
    public const string LlamaNativeDirVariable = "LLAMA_NATIVE_DIR";

    /// <summary>The script that installs the libraries.</summary>
    public const string FetchScript = "scripts/fetch-llama-native.sh";

    /// <summary>The llama.cpp release these bindings are written for.</summary>
    public const string ExpectedVersion = "0.5.0";

    private static readonly Lock Gate = new();
    private static int _installed;
    private static nint _llama;
    private static nint _ggml;
    private static nint _ggmlBase;
    private static LlamaLibraryFiles? _loaded;

    /// <summary>The files loaded into this process, or null before <see cref="Load"/> succeeded.</summary>
    public static LlamaLibraryFiles? Loaded => Volatile.Read(ref _loaded);

    /// <summary>
    /// The native directory: <paramref name="explicitDirectory"/>, else <c>VESPA_NATIVE_DIR</c>, else
    /// <c>LLAMA_NATIVE_DIR</c>, else <c>native/</c> next to the application (where the build copies the files).
    /// </summary>
    public static string ResolveDirectory(string? explicitDirectory)
    {
        var dir = explicitDirectory;
        if (string.IsNullOrWhiteSpace(dir))
        {
            dir = Environment.GetEnvironmentVariable(NativeDirVariable);
        }

        if (string.IsNullOrWhiteSpace(dir))
        {
            dir = Environment.GetEnvironmentVariable(LlamaNativeDirVariable);
        }

        if (string.IsNullOrWhiteSpace(dir))
        {
            dir = Path.Combine(AppContext.BaseDirectory, "native");
        }

        return Path.TrimEndingDirectorySeparator(Path.GetFullPath(dir));
    }

    /// <summary>
    /// Whether <paramref name="fileName"/> is a file of library <paramref name="logicalName"/> for
    /// <paramref name="version"/>: versioned (<c>libllama.v0.5.0.so</c>, <c>libllama.cuda.v0.5.0.so</c>) or
    /// unversioned (<c>libllama.so</c>, <c>libggml-base.so</c>). A file for another version does not match.
    /// </summary>
    public static bool IsMatch(string logicalName, string fileName, string version, out string? variant, out bool versioned)
    {
        ArgumentNullException.ThrowIfNull(logicalName);
        ArgumentNullException.ThrowIfNull(fileName);
        variant = null;
        versioned = false;
        var regex = logicalName switch
        {
            LlamaNative.LlamaLibrary => LlamaFileRegex(),
            LlamaNative.GgmlLibrary => GgmlFileRegex(),
            LlamaNative.GgmlBaseLibrary => GgmlBaseFileRegex(),
            _ => null,
        };
        var match = regex?.Match(fileName);
        if (match is null || !match.Success)
        {
            return false;
        }

        var fileVersion = match.Groups["version"];
        if (fileVersion.Success && !string.Equals(fileVersion.Value, version, StringComparison.Ordinal))
        {
            return false;
        }

        variant = match.Groups["variant"].Success ? match.Groups["variant"].Value : null;
        versioned = fileVersion.Success;
        return true;
    }

    /// <summary>
    /// Picks the three library files among <paramref name="fileNames"/> (names only), or returns null and says which
    /// one is missing. Prefers a versioned libllama over a self-built one, then the CPU package over a variant.
    /// </summary>
    public static (string Llama, string Ggml, string GgmlBase, string? Variant)? Select(
        IEnumerable<string> fileNames, string version, out string? missing)
    {
        ArgumentNullException.ThrowIfNull(fileNames);
        var names = fileNames.Order(StringComparer.Ordinal).ToList();
        missing = null;

        (string Name, string? Variant, bool Versioned)? llama = null;
        foreach (var name in names)
        {
            if (!IsMatch(LlamaNative.LlamaLibrary, name, version, out var variant, out var versioned))
            {
                continue;
            }

            if (llama is null || Better(versioned, variant, llama.Value.Versioned, llama.Value.Variant))
            {
                llama = (name, variant, versioned);
            }
        }

        if (llama is not { } chosen)
        {
            missing = $"libllama.v{version}.so";
            return null;
        }

        var ggml = names.FirstOrDefault(n => IsMatch(LlamaNative.GgmlLibrary, n, version, out var v, out var ver)
            && v == chosen.Variant && ver == chosen.Versioned);
        if (ggml is null)
        {
            missing = GgmlFileName(chosen.Variant, chosen.Versioned ? version : null);
            return null;
        }

        var ggmlBase = names.FirstOrDefault(n => n == "libggml-base.so")
            ?? names.FirstOrDefault(n => IsMatch(LlamaNative.GgmlBaseLibrary, n, version, out _, out _));
        if (ggmlBase is null)
        {
            missing = "libggml-base.so";
            return null;
        }

        return (chosen.Name, ggml, ggmlBase, chosen.Variant);

        static bool Better(bool versioned, string? variant, bool bestVersioned, string? bestVariant) =>
            (versioned && !bestVersioned) || (versioned == bestVersioned && variant is null && bestVariant is not null);
    }

    /// <summary>
    /// Finds the libraries in <paramref name="directory"/> and checks that they are 64-bit ELF files, without loading
    /// anything. Throws <see cref="LlamaUnavailableException"/> naming the directory, the missing file and the fetch
    /// script.
    /// </summary>
    public static LlamaLibraryFiles Locate(string directory)
    {
        if (!System.IO.Directory.Exists(directory))
        {
            throw new LlamaUnavailableException(
                $"The llama.cpp native library folder '{directory}' does not exist. Run {FetchScript} (the build runs it when npm is available), "
                + $"or set {NativeDirVariable} to a folder with libllama.v{ExpectedVersion}.so, libggml.v{ExpectedVersion}.so, libggml-base.so and libggml-cpu-*.so.");
        }

        var names = System.IO.Directory.EnumerateFiles(directory).Select(Path.GetFileName).OfType<string>();
        if (Select(names, ExpectedVersion, out var missing) is not { } selected)
        {
            throw new LlamaUnavailableException(
                $"The llama.cpp native libraries are not in '{directory}': {missing} is missing. Run {FetchScript} (the build runs it when npm is available), "
                + $"or set {NativeDirVariable} to a folder that has the llama.cpp v{ExpectedVersion} libraries.");
        }

        var files = new LlamaLibraryFiles(
            directory,
            Path.Combine(directory, selected.Llama),
            Path.Combine(directory, selected.Ggml),
            Path.Combine(directory, selected.GgmlBase),
            selected.Variant);
        foreach (var path in new[] { files.Llama, files.Ggml, files.GgmlBase })
        {
            CheckElf(path);
        }

        return files;
    }

    /// <summary>
    /// Installs the resolver (once) and loads <paramref name="files"/> into the process. Loading is done once per
    /// process; loading a second, different set throws, because two copies of libggml would not share the backend
    /// registry.
    /// </summary>
    public static void Load(LlamaLibraryFiles files)
    {
        ArgumentNullException.ThrowIfNull(files);
        lock (Gate)
        {
            if (_loaded is { } loaded)
            {
                if (loaded != files)
                {
                    throw new LlamaUnavailableException(
                        $"llama.cpp is already loaded in this process from '{loaded.Llama}'; it cannot also be loaded from '{files.Llama}'. Use one native folder per process.");
                }

                return;
            }

            Install();

            // libllama first: its RUNPATH ($ORIGIN) pulls in the exact libggml and libggml-base it needs. Loading those
            // paths again returns the same handles (the dynamic loader matches the file), so C# and libllama share one
            // registry.
            var llama = LoadOne(files.Llama);
            var ggml = LoadOne(files.Ggml);
            var ggmlBase = LoadOne(files.GgmlBase);
            _llama = llama;
            _ggml = ggml;
            _ggmlBase = ggmlBase;
            Volatile.Write(ref _loaded, files);
        }
    }

    /// <summary>The file name of libggml that goes with a libllama of this variant and version.</summary>
    internal static string GgmlFileName(string? variant, string? version) =>
        "libggml" + (variant is null ? string.Empty : "." + variant) + (version is null ? string.Empty : ".v" + version) + ".so";

    private static void Install()
    {
        if (Interlocked.Exchange(ref _installed, 1) == 0)
        {
            NativeLibrary.SetDllImportResolver(typeof(LlamaLibraryResolver).Assembly, Resolve);
        }
    }

    private static nint Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath) => libraryName switch
    {
        LlamaNative.LlamaLibrary => _llama,
        LlamaNative.GgmlLibrary => _ggml,
        LlamaNative.GgmlBaseLibrary => _ggmlBase,
        _ => 0,
    };

    private static nint LoadOne(string path)
    {
        try
        {
            return NativeLibrary.Load(path);
        }
        catch (Exception ex) when (ex is DllNotFoundException or BadImageFormatException)
        {
            throw new LlamaUnavailableException(
                $"The llama.cpp native library '{path}' could not be loaded: {ex.Message}. The files must come from the pinned package "
                + $"(run {FetchScript}); the host needs glibc >= 2.34 and libstdc++ with GLIBCXX_3.4.29 (llama-native.md §1.3).",
                ex);
        }
    }

    private static void CheckElf(string path)
    {
        Span<byte> header = stackalloc byte[5];
        int read;
        try
        {
            using var stream = File.OpenRead(path);
            read = stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        }
        catch (IOException ex)
        {
            throw new LlamaUnavailableException($"The llama.cpp native library '{path}' cannot be read: {ex.Message}", ex);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new LlamaUnavailableException($"The llama.cpp native library '{path}' cannot be read: {ex.Message}", ex);
        }

        // \x7fELF, class 2 = 64-bit.
        if (read < header.Length || header[0] != 0x7F || header[1] != (byte)'E' || header[2] != (byte)'L' || header[3] != (byte)'F' || header[4] != 2)
        {
            throw new LlamaUnavailableException(
                $"'{path}' is not a 64-bit ELF shared library (damaged or not from the pinned package). Delete the folder and run {FetchScript}.");
        }
    }

    [GeneratedRegex(@"^libllama(?:\.(?<variant>[A-Za-z0-9_-]+))?(?:\.v(?<version>[0-9]+\.[0-9]+\.[0-9]+))?\.so$", RegexOptions.CultureInvariant)]
    private static partial Regex LlamaFileRegex();

    [GeneratedRegex(@"^libggml(?:\.(?<variant>[A-Za-z0-9_-]+))?(?:\.v(?<version>[0-9]+\.[0-9]+\.[0-9]+))?\.so$", RegexOptions.CultureInvariant)]
    private static partial Regex GgmlFileRegex();

    [GeneratedRegex(@"^libggml-base(?:\.(?<variant>[A-Za-z0-9_-]+))?(?:\.v(?<version>[0-9]+\.[0-9]+\.[0-9]+))?\.so$", RegexOptions.CultureInvariant)]
    private static partial Regex GgmlBaseFileRegex();
}
