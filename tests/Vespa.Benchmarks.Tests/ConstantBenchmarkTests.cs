using Vespa.Benchmarks.Tests.Support;
using Vespa.Testing;

namespace Vespa.Benchmarks.Tests;

public sealed class ConstantBenchmarkTests
{
    [Theory]
    [InlineData("constant:12.5", 12.5, "constant:12.5")]
    [InlineData("constant:100", 100, "constant:100")]
    [InlineData("CONSTANT: 1e3", 1000, "constant:1000")]
    [InlineData("constant:0.001", 0.001, "constant:0.001")]
    public async Task Constant_ValidValue_ReturnsItWithoutAnyRequest(string spec, double expected, string name)
    {
        using var client = new HttpClient(new RefusingHandler()) { BaseAddress = new Uri("http://127.0.0.1:9/") };
        var context = TestContexts.Create(client, new BenchmarkOptions());
        var benchmark = BenchmarkFactory.Create(spec);

        var identity = await benchmark.IdentifyAsync(context, CancellationToken.None).DefaultTimeout();
        var result = await benchmark.RunAsync(context, CancellationToken.None).DefaultTimeout();

        Assert.Equal(name, benchmark.Name);
        Assert.Equal(name, identity);
        Assert.Equal(expected, result.MaxThroughput);
        Assert.Equal([expected], result.RunThroughputs);
        Assert.Equal("workload/s", result.Unit);
    }

    [Theory]
    [InlineData("constant:", "is not a number")]
    [InlineData("constant:abc", "is not a number")]
    [InlineData("constant:12,5", "is not a number")]
    [InlineData("constant:0", "not a finite number greater than 0")]
    [InlineData("constant:-3", "not a finite number greater than 0")]
    [InlineData("constant:NaN", "not a finite number greater than 0")]
    [InlineData("constant:Infinity", "not a finite number greater than 0")]
    [InlineData("constant:1e400", "not a finite number greater than 0")]
    public void Constant_BadValue_ThrowsArgumentException(string spec, string problem)
    {
        var error = Assert.Throws<ArgumentException>(() => BenchmarkFactory.Create(spec));

        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
        Assert.Contains(BenchmarkFactory.AcceptedForms, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Constant_Cancelled_Throws()
    {
        using var client = new HttpClient(new RefusingHandler()) { BaseAddress = new Uri("http://127.0.0.1:9/") };
        using var cancellation = new CancellationTokenSource();
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => BenchmarkFactory.Create("constant:5").RunAsync(TestContexts.Create(client, new BenchmarkOptions()), cancellation.Token).DefaultTimeout());
    }

    private sealed class RefusingHandler : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("the constant benchmark must not send requests");
    }
}
