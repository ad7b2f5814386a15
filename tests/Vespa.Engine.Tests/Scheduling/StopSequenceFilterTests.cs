using Vespa.Engine.Scheduling;

namespace Vespa.Engine.Tests.Scheduling;

public sealed class StopSequenceFilterTests
{
    [Fact]
    public void Push_NoStops_EmitsEverythingAtOnce()
    {
        var filter = new StopSequenceFilter([]);

        Assert.Equal(("abc", false), filter.Push("abc"));
    }

    [Fact]
    public void Push_StopSplitAcrossPieces_HeldBackThenCut()
    {
        var filter = new StopSequenceFilter(["END"]);

        Assert.Equal(("hello ", false), filter.Push("hello E"));
        Assert.Equal(("", false), filter.Push("N"));
        Assert.Equal(("", true), filter.Push("D and more"));
    }

    [Fact]
    public void Push_PrefixThatTurnsOutNotToBeAStop_ReleasedLater()
    {
        var filter = new StopSequenceFilter(["END"]);

        Assert.Equal(("x", false), filter.Push("xE"));
        Assert.Equal(("Ex", false), filter.Push("x"));
        Assert.Equal("", filter.Flush());
    }

    [Fact]
    public void Push_EarliestOfSeveralStopsWins()
    {
        var filter = new StopSequenceFilter(["\n\n", "World"]);

        Assert.Equal(("Hello ", true), filter.Push("Hello World\n\n"));
    }

    [Fact]
    public void Flush_ReturnsHeldBackTail()
    {
        var filter = new StopSequenceFilter(["STOP"]);

        Assert.Equal(("abc", false), filter.Push("abcST"));
        Assert.Equal("ST", filter.Flush());
    }
}
