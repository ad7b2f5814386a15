using Vespa.Engine.Models;

namespace Vespa.Engine.Tests.Models.Support;

/// <summary>One tensor description as read back; <see cref="Offset"/> is relative to the data section.</summary>
internal sealed record GgufTensorInfo(string Name, long[] Dimensions, GgufTensorType Type, long Offset)
{
    public long ElementCount => Dimensions.Aggregate(1L, (a, b) => a * b);

    public long ByteLength => ElementCount * (Type == GgufTensorType.F32 ? 4 : 2);
}
