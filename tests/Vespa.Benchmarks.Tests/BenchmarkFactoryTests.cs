namespace Vespa.Benchmarks.Tests;

public sealed class BenchmarkFactoryTests
{
    [Fact]
    public void BuiltInNames_AreTheProtocolBenchmarksAndTheEngine()
    {
        Assert.Equal(["openai-chat", "openai-completions", "engine", "tgi", "comfyui"], BenchmarkFactory.BuiltInNames);
    }

    [Theory]
    [InlineData("openai-chat", "openai-chat")]
    [InlineData("OpenAI-Chat", "openai-chat")]
    [InlineData(" openai-completions ", "openai-completions")]
    [InlineData("tgi", "tgi")]
    [InlineData("comfyui", "comfyui")]
    public void Create_BuiltInName_ReturnsThatBenchmark(string spec, string name)
    {
        Assert.Equal(name, BenchmarkFactory.Create(spec).Name);
    }

    [Fact]
    public void Create_EveryBuiltInName_Works()
    {
        Assert.All(BenchmarkFactory.BuiltInNames, name => Assert.Equal(name, BenchmarkFactory.Create(name).Name));
    }

    [Theory]
    [InlineData("vllm")]
    [InlineData("openai")]
    [InlineData("benchmarks.openai_chat:benchmark")]
    [InlineData("plugin.so:Type")]
    public void Create_UnknownName_ThrowsListingTheAcceptedForms(string spec)
    {
        var error = Assert.Throws<ArgumentException>(() => BenchmarkFactory.Create(spec));

        Assert.Contains($"Unknown benchmark '{spec}'", error.Message, StringComparison.Ordinal);
        Assert.Contains("openai-chat, openai-completions, engine, tgi, comfyui, constant:<number greater than 0>", error.Message, StringComparison.Ordinal);
        Assert.Contains("path/to/plugin.dll:Namespace.TypeName", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void Create_Empty_Throws(string spec)
    {
        var error = Assert.Throws<ArgumentException>(() => BenchmarkFactory.Create(spec));

        Assert.Contains("empty", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_Null_ThrowsArgumentNull()
    {
        Assert.Throws<ArgumentNullException>(() => BenchmarkFactory.Create(null!));
    }

    [Fact]
    public void Create_MissingPluginFile_ThrowsNamingThePath()
    {
        var path = Path.Combine(Path.GetTempPath(), "vespa-no-such-plugin-" + Guid.NewGuid().ToString("N") + ".dll");

        var error = Assert.Throws<ArgumentException>(() => BenchmarkFactory.Create(path + ":My.Benchmark"));

        Assert.Contains($"the plugin assembly '{path}' does not exist", error.Message, StringComparison.Ordinal);
        Assert.Contains(BenchmarkFactory.AcceptedForms, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_PluginWithoutTypeName_Throws()
    {
        var error = Assert.Throws<ArgumentException>(() => BenchmarkFactory.Create("plugin.dll:"));

        Assert.Contains("type name after ':' is missing", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_FileThatIsNotAnAssembly_Throws()
    {
        var path = Path.Combine(Path.GetTempPath(), "vespa-fake-plugin-" + Guid.NewGuid().ToString("N") + ".dll");
        File.WriteAllText(path, "not a PE file");
        try
        {
            var error = Assert.Throws<ArgumentException>(() => BenchmarkFactory.Create(path + ":My.Benchmark"));

            Assert.Contains("is not a .NET assembly", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
