using Vespa.Engine.Native;

namespace Vespa.Engine.Tests.Native;

[Collection(LlamaRuntimeGroup.Name)]
public sealed unsafe class LlamaBatchBufferTests
{
    public LlamaBatchBufferTests() => NativeTestLibraries.Initialize();

    [Fact]
    public void Add_WritesTheNativeArraysAndReturnsTheIndex()
    {
        using var batch = new LlamaBatchBuffer(capacity: 4);

        Assert.Equal(0, batch.Add(token: 11, pos: 0, seqId: 0, logits: false));
        Assert.Equal(1, batch.Add(token: 12, pos: 1, seqId: 0, logits: true));
        Assert.Equal(2, batch.Add(token: 21, pos: 7, seqId: 3, logits: true));

        var raw = batch.Batch;
        Assert.Equal(3, batch.Count);
        Assert.Equal(3, raw.n_tokens);
        Assert.Equal(1, batch.Remaining);
        Assert.Equal([11, 12, 21], new ReadOnlySpan<int>((int*)raw.token, 3).ToArray());
        Assert.Equal([0, 1, 7], new ReadOnlySpan<int>((int*)raw.pos, 3).ToArray());
        Assert.Equal([1, 1, 1], new ReadOnlySpan<int>((int*)raw.n_seq_id, 3).ToArray());
        Assert.Equal(3, ((int**)raw.seq_id)[2][0]);
        Assert.Equal([0, 1, 1], new ReadOnlySpan<sbyte>((sbyte*)raw.logits, 3).ToArray().Select(b => (int)b).ToArray());
    }

    [Fact]
    public void Add_BeyondCapacity_Throws()
    {
        using var batch = new LlamaBatchBuffer(capacity: 2);
        batch.Add(1, 0, 0, false);
        batch.Add(2, 1, 0, true);

        Assert.Throws<InvalidOperationException>(() => batch.Add(3, 2, 0, true));
        Assert.Equal(2, batch.Count);
    }

    [Fact]
    public void Clear_ReusesTheBuffer()
    {
        using var batch = new LlamaBatchBuffer(capacity: 1);
        batch.Add(1, 0, 0, true);

        batch.Clear();

        Assert.Equal(0, batch.Count);
        Assert.Equal(0, batch.Add(2, 1, 0, true));
    }

    [Fact]
    public void Add_SeveralSequences_RespectsMaxSequencesPerToken()
    {
        using var batch = new LlamaBatchBuffer(capacity: 2, maxSequencesPerToken: 2);

        batch.Add(5, 0, [0, 1], logits: false);

        var raw = batch.Batch;
        Assert.Equal(2, ((int*)raw.n_seq_id)[0]);
        Assert.Equal(1, ((int**)raw.seq_id)[0][1]);
        Assert.Throws<ArgumentOutOfRangeException>(() => batch.Add(6, 1, [0, 1, 2], logits: false));
        Assert.Throws<ArgumentOutOfRangeException>(() => batch.Add(6, 1, ReadOnlySpan<int>.Empty, logits: false));
    }

    [Fact]
    public void SetLogits_ChangesAnAddedToken()
    {
        using var batch = new LlamaBatchBuffer(capacity: 2);
        batch.Add(1, 0, 0, logits: false);

        batch.SetLogits(0, true);

        Assert.Equal(1, ((sbyte*)batch.Batch.logits)[0]);
        Assert.Throws<ArgumentOutOfRangeException>(() => batch.SetLogits(1, true));
    }

    [Fact]
    public void Dispose_FreesOnceAndRefusesFurtherUse()
    {
        var batch = new LlamaBatchBuffer(capacity: 8);
        batch.Dispose();
        batch.Dispose();

        Assert.True(batch.IsClosed);
        Assert.Throws<ObjectDisposedException>(() => batch.Add(1, 0, 0, true));
        Assert.Throws<ObjectDisposedException>(() => batch.Clear());
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 0)]
    [InlineData(1, 257)]
    public void Constructor_InvalidSizes_Throw(int capacity, int maxSequences)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new LlamaBatchBuffer(capacity, maxSequences));
    }
}
