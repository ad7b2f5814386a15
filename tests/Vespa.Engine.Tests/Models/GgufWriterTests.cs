using System.Buffers.Binary;
using Vespa.Engine.Models;
using Vespa.Engine.Tests.Models.Support;

namespace Vespa.Engine.Tests.Models;

public sealed class GgufWriterTests
{
    [Fact]
    public void WriteTo_Empty_IsHeaderOnlyPaddedTo32()
    {
        var bytes = Write(new GgufWriter());

        Assert.Equal(32, bytes.Length);
        Assert.Equal("GGUF"u8.ToArray(), bytes[..4]);
        Assert.Equal(3u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(4)));
        Assert.Equal(0ul, BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(8)));
        Assert.Equal(0ul, BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(16)));
        Assert.All(bytes[24..], b => Assert.Equal(0, b));
    }

    [Fact]
    public void WriteTo_HeaderCountsEntriesAndTensors()
    {
        var writer = new GgufWriter();
        writer.AddString("general.architecture", "llama");
        writer.AddUInt32("x.count", 7);
        writer.AddTensor("t.weight", GgufTensorType.F32, [2], new float[] { 1, 2 });

        var bytes = Write(writer);

        Assert.Equal(1ul, BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(8)));
        Assert.Equal(2ul, BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(16)));
        Assert.Equal(2, writer.KeyValueCount);
        Assert.Equal(1, writer.TensorCount);
    }

    [Fact]
    public void Scalars_EveryType_RoundTripsWithItsTypeCode()
    {
        var writer = new GgufWriter();
        writer.AddUInt8("u8", 200);
        writer.AddInt8("i8", -100);
        writer.AddUInt16("u16", 60_000);
        writer.AddInt16("i16", -30_000);
        writer.AddUInt32("u32", 4_000_000_000);
        writer.AddInt32("i32", -2_000_000_000);
        writer.AddFloat32("f32", 1e-5f);
        writer.AddBool("bool.true", true);
        writer.AddBool("bool.false", false);
        writer.AddString("str", "chatml");
        writer.AddUInt64("u64", ulong.MaxValue - 1);
        writer.AddInt64("i64", long.MinValue + 1);
        writer.AddFloat64("f64", Math.PI);

        var file = GgufReader.Read(Write(writer));

        Assert.Equal(
            ["u8", "i8", "u16", "i16", "u32", "i32", "f32", "bool.true", "bool.false", "str", "u64", "i64", "f64"],
            file.Entries.Select(e => e.Key));
        AssertEntry(file, "u8", GgufValueType.UInt8, (byte)200);
        AssertEntry(file, "i8", GgufValueType.Int8, (sbyte)-100);
        AssertEntry(file, "u16", GgufValueType.UInt16, (ushort)60_000);
        AssertEntry(file, "i16", GgufValueType.Int16, (short)-30_000);
        AssertEntry(file, "u32", GgufValueType.UInt32, 4_000_000_000u);
        AssertEntry(file, "i32", GgufValueType.Int32, -2_000_000_000);
        AssertEntry(file, "f32", GgufValueType.Float32, 1e-5f);
        AssertEntry(file, "bool.true", GgufValueType.Bool, true);
        AssertEntry(file, "bool.false", GgufValueType.Bool, false);
        AssertEntry(file, "str", GgufValueType.String, "chatml");
        AssertEntry(file, "u64", GgufValueType.UInt64, ulong.MaxValue - 1);
        AssertEntry(file, "i64", GgufValueType.Int64, long.MinValue + 1);
        AssertEntry(file, "f64", GgufValueType.Float64, Math.PI);
    }

    [Theory]
    [InlineData(GgufValueType.UInt8, 0u)]
    [InlineData(GgufValueType.Int8, 1u)]
    [InlineData(GgufValueType.UInt16, 2u)]
    [InlineData(GgufValueType.Int16, 3u)]
    [InlineData(GgufValueType.UInt32, 4u)]
    [InlineData(GgufValueType.Int32, 5u)]
    [InlineData(GgufValueType.Float32, 6u)]
    [InlineData(GgufValueType.Bool, 7u)]
    [InlineData(GgufValueType.String, 8u)]
    [InlineData(GgufValueType.Array, 9u)]
    [InlineData(GgufValueType.UInt64, 10u)]
    [InlineData(GgufValueType.Int64, 11u)]
    [InlineData(GgufValueType.Float64, 12u)]
    public void ValueType_HasTheGgufHeaderValue(GgufValueType type, uint expected) => Assert.Equal(expected, (uint)type);

    [Fact]
    public void String_IsU64ByteLengthThenUtf8WithoutTerminator()
    {
        var writer = new GgufWriter();
        writer.AddString("k", "▁é");

        var bytes = Write(writer);

        // header 24 | key: u64 1, "k" | u32 type 8 | u64 5 | e2 96 81 c3 a9
        Assert.Equal(1ul, BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(24)));
        Assert.Equal((byte)'k', bytes[32]);
        Assert.Equal(8u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(33)));
        Assert.Equal(5ul, BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(37)));
        Assert.Equal(new byte[] { 0xE2, 0x96, 0x81, 0xC3, 0xA9 }, bytes[45..50]);
        Assert.Equal("▁é", GgufReader.Read(bytes).Entry("k").Value);
    }

    [Fact]
    public void Arrays_StringsFloatsIntsAndOtherElementTypes_RoundTrip()
    {
        var writer = new GgufWriter();
        writer.AddArray("tokens", ["<unk>", "▁the", ""]);
        writer.AddArray<float>("scores", [0f, -1.5f, 3.25f]);
        writer.AddArray<int>("types", [2, 3, 6, -1]);
        writer.AddArray<byte>("u8", [1, 255]);
        writer.AddArray<short>("i16", [-2, 2]);
        writer.AddArray<uint>("u32", [uint.MaxValue]);
        writer.AddArray<bool>("bools", [true, false, true]);
        writer.AddArray<long>("i64", [long.MinValue]);
        writer.AddArray<double>("f64", [0.1]);
        writer.AddArray<int>("empty", []);

        var file = GgufReader.Read(Write(writer));

        AssertArray(file, "tokens", GgufValueType.String, new[] { "<unk>", "▁the", "" });
        AssertArray(file, "scores", GgufValueType.Float32, new[] { 0f, -1.5f, 3.25f });
        AssertArray(file, "types", GgufValueType.Int32, new[] { 2, 3, 6, -1 });
        AssertArray(file, "u8", GgufValueType.UInt8, new byte[] { 1, 255 });
        AssertArray(file, "i16", GgufValueType.Int16, new short[] { -2, 2 });
        AssertArray(file, "u32", GgufValueType.UInt32, new[] { uint.MaxValue });
        AssertArray(file, "bools", GgufValueType.Bool, new[] { true, false, true });
        AssertArray(file, "i64", GgufValueType.Int64, new[] { long.MinValue });
        AssertArray(file, "f64", GgufValueType.Float64, new[] { 0.1 });
        AssertArray(file, "empty", GgufValueType.Int32, Array.Empty<int>());
    }

    [Fact]
    public void Array_LayoutIsElementTypeCountElements()
    {
        var writer = new GgufWriter();
        writer.AddArray<int>("a", [7, -7]);

        var bytes = Write(writer);

        // header 24 | u64 1 "a" (9) | u32 9 (array) | u32 5 (int32) | u64 2 | 7 | -7
        Assert.Equal(9u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(33)));
        Assert.Equal(5u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(37)));
        Assert.Equal(2ul, BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(41)));
        Assert.Equal(7, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(49)));
        Assert.Equal(-7, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(53)));
    }

    [Fact]
    public void Tensors_InfosOffsetsAndPaddingFollowTheFormat()
    {
        var writer = new GgufWriter();
        writer.AddString("general.architecture", "llama");
        writer.AddTensor("a.weight", GgufTensorType.F32, [3], new float[] { 1, 2, 3 });
        writer.AddTensor("b.weight", GgufTensorType.F16, [5, 1], new float[] { 1, 2, 3, 4, 5 });
        writer.AddTensor("c.weight", GgufTensorType.F32, [4, 3, 2], Enumerable.Range(0, 24).Select(i => (float)i).ToArray());

        var bytes = Write(writer);
        var file = GgufReader.Read(bytes);

        Assert.Equal(3u, file.Version);
        Assert.Equal(0, file.DataOffset % 32);
        Assert.Equal(0, bytes.Length % 32);
        Assert.Equal(["a.weight", "b.weight", "c.weight"], file.Tensors.Select(t => t.Name));
        Assert.Equal([0L, 32L, 64L], file.Tensors.Select(t => t.Offset));
        Assert.Equal([3L], file.Tensor("a.weight").Dimensions);
        Assert.Equal([5L, 1L], file.Tensor("b.weight").Dimensions);
        Assert.Equal([4L, 3L, 2L], file.Tensor("c.weight").Dimensions);
        Assert.Equal(GgufTensorType.F16, file.Tensor("b.weight").Type);
        Assert.Equal([1f, 2f, 3f], file.ReadFloats("a.weight"));
        Assert.Equal([1f, 2f, 3f, 4f, 5f], file.ReadFloats("b.weight"));
        Assert.Equal(Enumerable.Range(0, 24).Select(i => (float)i), file.ReadFloats("c.weight"));

        // The 12 data bytes of a.weight are followed by 20 zero bytes, and so on.
        Assert.All(bytes.AsSpan((int)file.DataOffset + 12, 20).ToArray(), b => Assert.Equal(0, b));
        Assert.All(bytes.AsSpan((int)file.DataOffset + 32 + 10, 22).ToArray(), b => Assert.Equal(0, b));
        Assert.Equal(file.DataOffset + 64 + 96, bytes.Length);
    }

    [Fact]
    public void F16_KnownValues_ConvertWithRoundToNearestEven()
    {
        float[] values = [1f, -2f, 0.5f, 65504f, 0.1f, 1e-8f, 70000f, -0f, 0.333333f, 6.1035156e-5f, 5.9604645e-8f];
        ushort[] expected = [0x3C00, 0xC000, 0x3800, 0x7BFF, 0x2E66, 0x0000, 0x7C00, 0x8000, 0x3555, 0x0400, 0x0001];
        var writer = new GgufWriter();
        writer.AddTensor("h", GgufTensorType.F16, [values.Length], values);

        var file = GgufReader.Read(Write(writer));

        Assert.Equal(expected, file.ReadF16Bits("h"));
    }

    [Theory]
    [InlineData(0f, 0x0000)]
    [InlineData(-0f, 0x8000)]
    [InlineData(1f, 0x3C00)]
    [InlineData(-2f, 0xC000)]
    [InlineData(65504f, 0x7BFF)]
    [InlineData(65519.996f, 0x7BFF)] // just under the rounding boundary to infinity
    [InlineData(65520f, 0x7C00)] // the boundary itself rounds (to even) to infinity
    [InlineData(1e10f, 0x7C00)]
    [InlineData(float.PositiveInfinity, 0x7C00)]
    [InlineData(float.NegativeInfinity, 0xFC00)]
    [InlineData(6.1035156e-5f, 0x0400)] // the smallest normal half
    [InlineData(6.0975552e-5f, 0x03FF)] // the largest subnormal half
    [InlineData(5.9604645e-8f, 0x0001)] // the smallest subnormal half
    [InlineData(-5.9604645e-8f, 0x8001)]
    [InlineData(2.9802322e-8f, 0x0000)] // exactly half the smallest subnormal: a tie, to even (zero)
    [InlineData(2.9802326e-8f, 0x0001)] // one float ulp above that tie: rounds up
    [InlineData(8.940697e-8f, 0x0002)] // 1.5 × the smallest subnormal: a tie, to even (2)
    [InlineData(1.0009766f, 0x3C01)]
    [InlineData(1.00048828125f, 0x3C00)] // halfway between 0x3C00 and 0x3C01: to even
    [InlineData(1.00146484375f, 0x3C02)] // halfway between 0x3C01 and 0x3C02: to even
    public void F16_EdgeValues_AreExactIeeeHalfs(float value, int expected)
    {
        var writer = new GgufWriter();
        writer.AddTensor("h", GgufTensorType.F16, [1], new[] { value });

        Assert.Equal([(ushort)expected], GgufReader.Read(Write(writer)).ReadF16Bits("h"));
    }

    [Fact]
    public void F16_NaN_StaysNaN_WithItsSign()
    {
        var writer = new GgufWriter();
        writer.AddTensor("h", GgufTensorType.F16, [3], new[] { float.NaN, -float.NaN, BitConverter.UInt32BitsToSingle(0x7F80_0001) });

        var bits = GgufReader.Read(Write(writer)).ReadF16Bits("h");

        Assert.All(bits, b => Assert.True(Half.IsNaN(BitConverter.UInt16BitsToHalf(b)), $"0x{b:X4} is not a NaN"));
        Assert.Equal(BitConverter.SingleToUInt32Bits(float.NaN) >> 31, (uint)bits[0] >> 15);
        Assert.Equal(BitConverter.SingleToUInt32Bits(-float.NaN) >> 31, (uint)bits[1] >> 15);
    }

    [Fact]
    public void F16_RandomFloats_MatchTheRuntimesHalfCast()
    {
        // More than one fill chunk, so the vectorised conversion's tail handling is covered too.
        const int Count = GgufWriter.FillChunkElements + 1_000;
        var random = new DeterministicRandom(3);
        var values = new float[Count];
        for (var i = 0; i < values.Length; i++)
        {
            var bits = (uint)random.NextUInt64();
            if (i % 2 == 0)
            {
                // Half the samples around the half-precision exponent range, where rounding and subnormals happen.
                bits = (bits & 0x807F_FFFFu) | ((uint)(100 + (i % 45)) << 23);
            }

            values[i] = BitConverter.UInt32BitsToSingle(bits);
            if (float.IsNaN(values[i]))
            {
                values[i] = 0f;
            }
        }

        var writer = new GgufWriter();
        writer.AddTensor("h", GgufTensorType.F16, [Count], values);

        var bitsRead = GgufReader.Read(Write(writer)).ReadF16Bits("h");

        for (var i = 0; i < values.Length; i++)
        {
            Assert.Equal(BitConverter.HalfToUInt16Bits((Half)values[i]), bitsRead[i]);
        }
    }

    [Fact]
    public void AddTensor_FillCallback_IsCalledInOrderInChunksOnce()
    {
        const int Count = (GgufWriter.FillChunkElements * 2) + 128;
        var calls = new List<(long First, int Length)>();
        var writer = new GgufWriter();
        writer.AddTensor("big", GgufTensorType.F32, [128, Count / 128], (first, span) =>
        {
            calls.Add((first, span.Length));
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = first + i;
            }
        });

        var file = GgufReader.Read(Write(writer));

        Assert.Equal([(0L, GgufWriter.FillChunkElements), (GgufWriter.FillChunkElements, GgufWriter.FillChunkElements), (2L * GgufWriter.FillChunkElements, 128)], calls);
        var read = file.ReadFloats("big");
        Assert.Equal(Count, read.Length);
        Assert.Equal(Count - 1, read[^1]);
        Assert.Equal(GgufWriter.FillChunkElements, read[GgufWriter.FillChunkElements]);
    }

    [Fact]
    public void ComputeLength_EqualsTheWrittenLength()
    {
        var writer = new GgufWriter();
        writer.AddArray("tokens", ["a", "bb", "ccc"]);
        writer.AddTensor("t", GgufTensorType.F16, [7, 3], new float[21]);

        Assert.Equal(Write(writer).Length, writer.ComputeLength());
    }

    [Fact]
    public void WriteTo_NonSeekableStream_Works()
    {
        var writer = new GgufWriter();
        writer.AddString("k", "v");
        writer.AddTensor("t", GgufTensorType.F32, [3], new float[] { 1, 2, 3 });
        using var inner = new MemoryStream();
        using var forwardOnly = new ForwardOnlyStream(inner);

        writer.WriteTo(forwardOnly);

        Assert.Equal(Write(writer), inner.ToArray());
    }

    [Fact]
    public void Add_DuplicateKeyOrTensorName_Throws()
    {
        var writer = new GgufWriter();
        writer.AddString("k", "v");
        writer.AddTensor("t", GgufTensorType.F32, [1], new float[] { 1 });

        Assert.Throws<ArgumentException>(() => writer.AddUInt32("k", 1));
        Assert.Throws<ArgumentException>(() => writer.AddTensor("t", GgufTensorType.F32, [1], new float[] { 1 }));
    }

    [Fact]
    public void AddTensor_InvalidShapeOrData_Throws()
    {
        var writer = new GgufWriter();

        Assert.Throws<ArgumentException>(() => writer.AddTensor("short", GgufTensorType.F32, [2, 2], new float[3]));
        Assert.Throws<ArgumentException>(() => writer.AddTensor("zero", GgufTensorType.F32, [0], Array.Empty<float>()));
        Assert.Throws<ArgumentException>(() => writer.AddTensor("five", GgufTensorType.F32, [1, 1, 1, 1, 1], new float[1]));
        Assert.Throws<ArgumentException>(() => writer.AddTensor(new string('n', 64), GgufTensorType.F32, [1], new float[1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.AddTensor("q", (GgufTensorType)2, [1], new float[1]));
        writer.AddTensor(new string('n', 63), GgufTensorType.F32, [1], new float[1]);
    }

    private static byte[] Write(GgufWriter writer)
    {
        using var stream = new MemoryStream();
        writer.WriteTo(stream);
        return stream.ToArray();
    }

    private static void AssertEntry(GgufFile file, string key, GgufValueType type, object value)
    {
        var entry = file.Entry(key);
        Assert.Equal(type, entry.Type);
        Assert.Equal(value, entry.Value);
    }

    private static void AssertArray<T>(GgufFile file, string key, GgufValueType elementType, T[] values)
    {
        var entry = file.Entry(key);
        Assert.Equal(GgufValueType.Array, entry.Type);
        Assert.Equal(elementType, entry.ElementType);
        Assert.Equal(values, Assert.IsType<T[]>(entry.Value));
    }

    /// <summary>A write-only stream that cannot seek or report its length or position.</summary>
    private sealed class ForwardOnlyStream(Stream inner) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override void Flush() => inner.Flush();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
    }
}
