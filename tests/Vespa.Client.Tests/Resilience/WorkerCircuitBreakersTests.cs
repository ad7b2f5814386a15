using Microsoft.Extensions.Time.Testing;
using Vespa.Client.Resilience;

namespace Vespa.Client.Tests.Resilience;

public sealed class WorkerCircuitBreakersTests
{
    private const string Worker = "http://127.0.0.1:3000";
    private readonly FakeTimeProvider _time = new();

    private WorkerCircuitBreakers CreateSut() => new(threshold: 3, TimeSpan.FromSeconds(30), _time);

    [Fact]
    public void ThresholdFailuresInARow_Open_OtherWorkersUnaffected()
    {
        var sut = CreateSut();
        string? opened = null;
        sut.Opened += url => opened = url;

        sut.OnFailure(Worker);
        sut.OnFailure(Worker);
        Assert.True(sut.TryEnter(Worker));
        sut.OnFailure(Worker);

        Assert.Equal(CircuitState.Open, sut.GetState(Worker));
        Assert.False(sut.TryEnter(Worker));
        Assert.True(sut.TryEnter("http://127.0.0.1:3001"));
        Assert.Equal(Worker, opened);
    }

    [Fact]
    public void ASuccessResetsTheCount()
    {
        var sut = CreateSut();

        sut.OnFailure(Worker);
        sut.OnFailure(Worker);
        sut.OnSuccess(Worker);
        sut.OnFailure(Worker);
        sut.OnFailure(Worker);

        Assert.Equal(CircuitState.Closed, sut.GetState(Worker));
    }

    [Fact]
    public void AfterTheBreak_OneProbe_SuccessCloses()
    {
        var sut = CreateSut();
        Open(sut);

        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.False(sut.TryEnter(Worker));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(sut.TryEnter(Worker));
        Assert.Equal(CircuitState.HalfOpen, sut.GetState(Worker));
        Assert.False(sut.TryEnter(Worker));
        sut.OnSuccess(Worker);

        Assert.Equal(CircuitState.Closed, sut.GetState(Worker));
        Assert.True(sut.TryEnter(Worker));
    }

    [Fact]
    public void FailedProbe_OpensAgainForAFullBreak()
    {
        var sut = CreateSut();
        Open(sut);
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.True(sut.TryEnter(Worker));

        sut.OnFailure(Worker);

        Assert.Equal(CircuitState.Open, sut.GetState(Worker));
        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.False(sut.TryEnter(Worker));
    }

    [Fact]
    public void AbandonedProbe_NextCallerProbesAtOnce()
    {
        var sut = CreateSut();
        Open(sut);
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.True(sut.TryEnter(Worker));

        sut.OnAbandoned(Worker);

        Assert.True(sut.TryEnter(Worker));
    }

    private static void Open(WorkerCircuitBreakers sut)
    {
        for (var i = 0; i < 3; i++)
        {
            sut.OnFailure(Worker);
        }
    }
}
