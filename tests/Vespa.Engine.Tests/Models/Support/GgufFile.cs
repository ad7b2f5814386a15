using System.Buffers.Binary;
using Vespa.Engine.Models;

namespace Vespa.Engine.Tests.Models.Support;

/// <summary>A parsed GGUF file (see <see cref="GgufReader"/>), with accessors for assertions.</summary>
internal sealed class GgufFile(byte[] bytes, uint version, IReadOnlyList<GgufEntry> entries, IReadOnlyList<GgufTensorInfo> tensors, long dataOffset, int alignment)
{
    public byte[] Bytes { get; } = bytes;

    public uint Version { get; } = version;

    public IReadOnlyList<GgufEntry> Entries { get; } = entries;

    public IReadOnlyList<GgufTensorInfo> Tensors { get; } = tensors;

    /// <summary>Where the data section starts, from the start of the file.</summary>
    public long DataOffset { get; } = dataOffset;

    public int Alignment { get; } = alignment;

    public bool Has(string key) => Entries.Any(e => e.Key == key);

    public GgufEntry Entry(string key) => Entries.SingleOrDefault(e => e.Key == key) ?? throw new KeyNotFoundException(key);

    public GgufTensorInfo Tensor(string name) => Tensors.SingleOrDefault(t => t.Name == name) ?? throw new KeyNotFoundException(name);

    public ReadOnlySpan<byte> TensorBytes(GgufTensorInfo tensor) =>
        Bytes.AsSpan(checked((int)(DataOffset + tensor.Offset)), checked((int)tensor.ByteLength));

    /// <summary>A tensor's elements as floats (F16 widened exactly).</summary>
    public float[] ReadFloats(string name)
    {
        var tensor = Tensor(name);
        var data = TensorBytes(tensor);
        var values = new float[tensor.ElementCount];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = tensor.Type == GgufTensorType.F32
                ? BinaryPrimitives.ReadSingleLittleEndian(data[(i * 4)..])
                : (float)BitConverter.UInt16BitsToHalf(BinaryPrimitives.ReadUInt16LittleEndian(data[(i * 2)..]));
        }

        return values;
    }

    /// <summary>An F16 tensor's raw half-precision bit patterns.</summary>
    public ushort[] ReadF16Bits(string name)
    {
        var tensor = Tensor(name);
        Assert.Equal(GgufTensorType.F16, tensor.Type);
        var data = TensorBytes(tensor);
        var values = new ushort[tensor.ElementCount];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadUInt16LittleEndian(data[(i * 2)..]);
        }

        return values;
    }
}
