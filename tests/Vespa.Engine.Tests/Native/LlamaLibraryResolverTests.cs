using Vespa.Engine.Native;

namespace Vespa.Engine.Tests.Native;

public sealed class LlamaLibraryResolverTests
{
    private const string Version = "0.5.0";

    [Theory]
    [InlineData("llama", "libllama.v0.5.0.so", null, true)]
    [InlineData("llama", "libllama.cuda.v0.5.0.so", "cuda", true)]
    [InlineData("llama", "libllama.so", null, false)]
    [InlineData("ggml", "libggml.v0.5.0.so", null, true)]
    [InlineData("ggml", "libggml.cuda.v0.5.0.so", "cuda", true)]
    [InlineData("ggml", "libggml.so", null, false)]
    [InlineData("ggml-base", "libggml-base.so", null, false)]
    [InlineData("ggml-base", "libggml-base.v0.5.0.so", null, true)]
    public void IsMatch_AcceptsCpuCudaAndSelfBuiltNames(string logical, string file, string? expectedVariant, bool expectedVersioned)
    {
        Assert.True(LlamaLibraryResolver.IsMatch(logical, file, Version, out var variant, out var versioned));
        Assert.Equal(expectedVariant, variant);
        Assert.Equal(expectedVersioned, versioned);
    }

    [Theory]
    [InlineData("llama", "libllama.v0.4.0.so")]
    [InlineData("llama", "libllama.cuda.v0.6.1.so")]
    [InlineData("llama", "libllama-common.so")]
    [InlineData("llama", "libllama.v0.5.0.so.bak")]
    [InlineData("llama", "llama-addon.node")]
    [InlineData("ggml", "libggml-base.so")]
    [InlineData("ggml", "libggml-cpu-zen4.so")]
    [InlineData("ggml", "libggml-cuda.so")]
    [InlineData("ggml-base", "libggml.v0.5.0.so")]
    [InlineData("other", "libother.so")]
    public void IsMatch_RejectsOtherFilesAndVersions(string logical, string file)
    {
        Assert.False(LlamaLibraryResolver.IsMatch(logical, file, Version, out _, out _));
    }

    [Fact]
    public void Select_CpuPackage()
    {
        var selected = LlamaLibraryResolver.Select(CpuPackage(), Version, out var missing);
        Assert.Null(missing);
        Assert.Equal(("libllama.v0.5.0.so", "libggml.v0.5.0.so", "libggml-base.so", (string?)null), selected);
    }

    [Fact]
    public void Select_CudaPackage_TakesTheMatchingGgml()
    {
        string[] files =
        [
            "libggml-base.so", "libggml-cpu-x64.so", "libggml-cuda.so", "libggml.cuda.v0.5.0.so", "libllama.cuda.v0.5.0.so",
            "libllama-common.so", "llama-addon.node",
        ];
        var selected = LlamaLibraryResolver.Select(files, Version, out var missing);
        Assert.Null(missing);
        Assert.Equal(("libllama.cuda.v0.5.0.so", "libggml.cuda.v0.5.0.so", "libggml-base.so", (string?)"cuda"), selected);
    }

    [Fact]
    public void Select_SelfBuiltNames()
    {
        var selected = LlamaLibraryResolver.Select(["libllama.so", "libggml.so", "libggml-base.so", "libggml-cpu.so"], Version, out var missing);
        Assert.Null(missing);
        Assert.Equal(("libllama.so", "libggml.so", "libggml-base.so", (string?)null), selected);
    }

    [Fact]
    public void Select_PrefersTheVersionedCpuLibrary()
    {
        string[] files = ["libllama.so", "libllama.cuda.v0.5.0.so", "libllama.v0.5.0.so", "libggml.v0.5.0.so", "libggml.cuda.v0.5.0.so", "libggml-base.so"];
        var selected = LlamaLibraryResolver.Select(files, Version, out _);
        Assert.Equal("libllama.v0.5.0.so", selected?.Llama);
        Assert.Equal("libggml.v0.5.0.so", selected?.Ggml);
    }

    [Theory]
    [InlineData(new[] { "libggml.v0.5.0.so", "libggml-base.so" }, "libllama.v0.5.0.so")]
    [InlineData(new[] { "libllama.v0.4.0.so", "libggml.v0.4.0.so", "libggml-base.so" }, "libllama.v0.5.0.so")]
    [InlineData(new[] { "libllama.v0.5.0.so", "libggml-base.so" }, "libggml.v0.5.0.so")]
    [InlineData(new[] { "libllama.cuda.v0.5.0.so", "libggml.v0.5.0.so", "libggml-base.so" }, "libggml.cuda.v0.5.0.so")]
    [InlineData(new[] { "libllama.v0.5.0.so", "libggml.v0.5.0.so" }, "libggml-base.so")]
    public void Select_NamesTheMissingFile(string[] files, string expectedMissing)
    {
        Assert.Null(LlamaLibraryResolver.Select(files, Version, out var missing));
        Assert.Equal(expectedMissing, missing);
    }

    [Fact]
    public void Locate_TheFolderBuildLlamaNativeWrites()
    {
        // scripts/build-llama-native.sh copies cmake's output as it is: plain names that are symlinks to the
        // SOVERSION names (libllama.so -> libllama.so.0 -> libllama.so.0.5.0; ggml is 0.25.1), no variant.
        using var dir = new TempDirectory();
        foreach (var (library, version) in new[] { ("libllama", "0.5.0"), ("libggml", "0.25.1"), ("libggml-base", "0.25.1"), ("libggml-cpu", "0.25.1") })
        {
            File.WriteAllBytes(dir.File($"{library}.so.{version}"), [0x7F, (byte)'E', (byte)'L', (byte)'F', 2, 1, 1, 0]);
            File.CreateSymbolicLink(dir.File($"{library}.so.0"), $"{library}.so.{version}");
            File.CreateSymbolicLink(dir.File($"{library}.so"), $"{library}.so.0");
        }

        File.WriteAllText(dir.File("LICENSE.llama.cpp"), "MIT");
        File.WriteAllText(dir.File(".llama-native-build"), "llama.cpp de3ff815ea7d559ee917f063901b8986f038abc6");

        // As VESPA_NATIVE_DIR gives it (WorkerOptionsLoader passes it on as the explicit folder), trailing slash and all.
        var files = LlamaLibraryResolver.Locate(LlamaLibraryResolver.ResolveDirectory(dir.Path + "/"));

        Assert.Equal(dir.File("libllama.so"), files.Llama);
        Assert.Equal(dir.File("libggml.so"), files.Ggml);
        Assert.Equal(dir.File("libggml-base.so"), files.GgmlBase);
        Assert.Null(files.Variant);
    }

    [Fact]
    public void Locate_AFolderWithoutLibllama_NamesWhatIsMissing()
    {
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.File("libggml.so"), [0x7F, (byte)'E', (byte)'L', (byte)'F', 2]);

        var error = Assert.Throws<LlamaUnavailableException>(() => LlamaLibraryResolver.Locate(dir.Path));

        Assert.Contains("libllama.v0.5.0.so is missing", error.Message, StringComparison.Ordinal);
        Assert.Contains(dir.Path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ResolveDirectory_ExplicitWins()
    {
        var dir = Path.Combine(Path.GetTempPath(), "vespa-native-explicit");
        Assert.Equal(Path.GetFullPath(dir), LlamaLibraryResolver.ResolveDirectory(dir + "/"));
    }

    [Fact]
    public void ResolveDirectory_DefaultsToNativeNextToTheApp()
    {
        if (Environment.GetEnvironmentVariable(LlamaLibraryResolver.NativeDirVariable) is not null
            || Environment.GetEnvironmentVariable(LlamaLibraryResolver.LlamaNativeDirVariable) is not null)
        {
            return; // the environment chose a folder
        }

        Assert.Equal(
            Path.TrimEndingDirectorySeparator(Path.Combine(AppContext.BaseDirectory, "native")),
            LlamaLibraryResolver.ResolveDirectory(null));
    }

    private static string[] CpuPackage() =>
    [
        "LICENSE.node-llama-cpp", "libggml-base.so", "libggml-cpu-alderlake.so", "libggml-cpu-haswell.so", "libggml-cpu-x64.so",
        "libggml-cpu-zen4.so", "libggml.v0.5.0.so", "libllama.v0.5.0.so",
    ];
}
