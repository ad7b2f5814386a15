namespace Vespa.Benchmarks.Tests;

public sealed class BenchmarkOptionsTests
{
    [Fact]
    public void Defaults_AreTheDocumentedOnes()
    {
        var options = new BenchmarkOptions();

        Assert.Equal(8, options.Runs); // the SDK's BenchmarkConfig.runs
        Assert.Equal(10, options.Concurrency);
        Assert.False(options.ConcurrencyIsExplicit);
        Assert.True(options.Warmup);
        Assert.Equal(256, options.MaxTokens);
        Assert.Null(options.Model);
        Assert.Equal(BenchmarkOptions.DefaultPrompt, options.Prompt);
        Assert.Equal(512, options.ImageWidth);
        Assert.Equal(512, options.ImageHeight);
        Assert.Equal(20, options.Steps);
        Assert.Null(options.ComfyWorkflowFile);
        Assert.Equal(TimeSpan.FromMinutes(10), options.RequestTimeout);
        options.Validate();
    }

    [Fact]
    public void Concurrency_AssignedEvenToItsDefault_IsExplicit()
    {
        var options = new BenchmarkOptions { Concurrency = 10 };

        Assert.True(options.ConcurrencyIsExplicit);
    }

    [Theory]
    [InlineData(nameof(BenchmarkOptions.Runs))]
    [InlineData(nameof(BenchmarkOptions.Concurrency))]
    [InlineData(nameof(BenchmarkOptions.MaxTokens))]
    [InlineData(nameof(BenchmarkOptions.Steps))]
    [InlineData(nameof(BenchmarkOptions.RequestTimeout))]
    public void Validate_BadValue_NamesTheOption(string name)
    {
        var options = new BenchmarkOptions();
        switch (name)
        {
            case nameof(BenchmarkOptions.Runs): options.Runs = 0; break;
            case nameof(BenchmarkOptions.Concurrency): options.Concurrency = -1; break;
            case nameof(BenchmarkOptions.MaxTokens): options.MaxTokens = 0; break;
            case nameof(BenchmarkOptions.Steps): options.Steps = 0; break;
            default: options.RequestTimeout = TimeSpan.Zero; break;
        }

        var error = Assert.Throws<ArgumentException>(options.Validate);

        Assert.Contains("option " + name, error.Message, StringComparison.Ordinal);
    }
}
