using System.Runtime.InteropServices;
using Vespa.Engine.Native;

namespace Vespa.Engine.Tests.Native;

[Collection(LlamaRuntimeGroup.Name)]
public sealed class LlamaRuntimeTests
{
    [Fact]
    public void Initialize_EmptyDirectory_NamesTheDirectoryTheFileAndTheFetchScript()
    {
        using var dir = new TempDirectory();

        var ex = Assert.Throws<LlamaUnavailableException>(() => LlamaRuntime.Initialize(dir.Path, new CollectingLogger()));

        Assert.Contains(dir.Path, ex.Message, StringComparison.Ordinal);
        Assert.Contains("libllama.v0.5.0.so", ex.Message, StringComparison.Ordinal);
        Assert.Contains("scripts/fetch-llama-native.sh", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Initialize_MissingDirectory_SaysItDoesNotExist()
    {
        var missing = Path.Combine(Path.GetTempPath(), "vespa-no-such-dir-" + Guid.NewGuid().ToString("N"));

        var ex = Assert.Throws<LlamaUnavailableException>(() => LlamaRuntime.Initialize(missing, new CollectingLogger()));

        Assert.Contains(missing, ex.Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", ex.Message, StringComparison.Ordinal);
        Assert.Contains("scripts/fetch-llama-native.sh", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Initialize_OnlyLibllama_NamesTheMissingGgml()
    {
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.File("libllama.v0.5.0.so"), [0x7F, (byte)'E', (byte)'L', (byte)'F', 2, 1, 1]);

        var ex = Assert.Throws<LlamaUnavailableException>(() => LlamaRuntime.Initialize(dir.Path, new CollectingLogger()));

        Assert.Contains("libggml.v0.5.0.so", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Initialize_BogusLibraryFiles_ClearErrorAndNoCrash()
    {
        using var dir = new TempDirectory();
        foreach (var name in new[] { "libllama.v0.5.0.so", "libggml.v0.5.0.so", "libggml-base.so" })
        {
            File.WriteAllText(dir.File(name), "this is not a shared library");
        }

        var ex = Assert.Throws<LlamaUnavailableException>(() => LlamaRuntime.Initialize(dir.Path, new CollectingLogger()));

        Assert.Contains(dir.File("libllama.v0.5.0.so"), ex.Message, StringComparison.Ordinal);
        Assert.Contains("not a 64-bit ELF shared library", ex.Message, StringComparison.Ordinal);
        Assert.Contains("scripts/fetch-llama-native.sh", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryInitialize_EmptyDirectory_ReturnsTheReason()
    {
        using var dir = new TempDirectory();

        Assert.False(LlamaRuntime.TryInitialize(dir.Path, new CollectingLogger(), out var info, out var reason));

        Assert.Null(info);
        Assert.Contains(dir.Path, reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Initialize_RealLibraries_PassesTheAbiGuardAndFindsTheCpu()
    {
        var info = NativeTestLibraries.Initialize();

        Assert.True(LlamaRuntime.IsInitialized);
        Assert.StartsWith("0.5.0", info.Version, StringComparison.Ordinal);
        Assert.Equal(NativeTestLibraries.Directory, info.NativeDirectory);
        Assert.Contains(info.Devices, d => d.Type == GgmlBackendDevType.Cpu);
        Assert.All(info.Devices, d => Assert.False(string.IsNullOrEmpty(d.Name)));
        Assert.False(string.IsNullOrEmpty(info.SystemInfo));
        Assert.Same(info, LlamaRuntime.Info);
    }

    [Fact]
    public void Initialize_Twice_ReturnsTheSameInfo()
    {
        var first = NativeTestLibraries.Initialize();
        var second = LlamaRuntime.Initialize(NativeTestLibraries.Directory + "/", new CollectingLogger());

        Assert.Same(first, second);
    }

    [Fact]
    public void Initialize_AnotherDirectoryAfterSuccess_IsRefused()
    {
        NativeTestLibraries.Initialize();
        using var dir = new TempDirectory();
        foreach (var name in new[] { "libllama.v0.5.0.so", "libggml.v0.5.0.so", "libggml-base.so" })
        {
            File.CreateSymbolicLink(dir.File(name), Path.Combine(NativeTestLibraries.Directory, name));
        }

        var ex = Assert.Throws<LlamaUnavailableException>(() => LlamaRuntime.Initialize(dir.Path, new CollectingLogger()));

        Assert.Contains("already initialised", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AbiGuard_RealDefaults_Match()
    {
        NativeTestLibraries.Initialize();

        var errors = LlamaAbiGuard.Check(
            Marshal.PtrToStringUTF8(LlamaNative.llama_version()),
            LlamaNative.llama_model_default_params(),
            LlamaNative.llama_context_default_params(),
            LlamaNative.llama_sampler_chain_default_params());

        Assert.Empty(errors);
    }

    [Fact]
    public void RealLibrary_ReportsTheProbeValues()
    {
        NativeTestLibraries.Initialize();

        // The same values scripts/llama-layout-probe.sh prints (llama-native.md §2.1 step 4).
        Assert.Equal("0.5.0-dev", Marshal.PtrToStringUTF8(LlamaNative.llama_version()));
        Assert.Equal((nuint)LlamaNative.MaxSequences, LlamaNative.llama_max_parallel_sequences());
        Assert.True(LlamaNative.llama_supports_mmap());
        Assert.True(LlamaNative.llama_max_devices() >= 1);
    }

    [Fact]
    public void NativeLog_IsRoutedToTheLogger()
    {
        NativeTestLibraries.Initialize();
        using var dir = new TempDirectory();
        var bogus = dir.File("bogus.gguf");
        File.WriteAllText(bogus, "not a gguf file at all");

        // A failed load logs errors from native code; they reach the logger and the exception message.
        var ex = Assert.Throws<InvalidOperationException>(() => LlamaModel.Load(bogus));

        Assert.Contains(bogus, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("no error was logged", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadModel_MissingFile_ThrowsFileNotFound()
    {
        NativeTestLibraries.Initialize();

        Assert.Throws<FileNotFoundException>(() => LlamaModel.Load(Path.Combine(Path.GetTempPath(), "vespa-missing-" + Guid.NewGuid().ToString("N") + ".gguf")));
    }
}
