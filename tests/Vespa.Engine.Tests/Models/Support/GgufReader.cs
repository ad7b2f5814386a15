using System.Buffers.Binary;
using System.Text;
using Vespa.Engine.Models;

namespace Vespa.Engine.Tests.Models.Support;

/// <summary>
/// An independent GGUF v3 reader written from the format description (llama-native.md §5.1), to
/// check what <see cref="GgufWriter"/> produces. Strict: it rejects anything malformed (bad magic,
/// invalid UTF-8, a bool other than 0/1, misaligned tensors, overlapping or out-of-range data).
/// </summary>
internal static class GgufReader
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static GgufFile Read(string path) => Read(File.ReadAllBytes(path));

    public static GgufFile Read(byte[] bytes)
    {
        var cursor = new Cursor(bytes);
        if (!bytes.AsSpan().StartsWith("GGUF"u8))
        {
            throw new InvalidDataException("no GGUF magic");
        }

        cursor.Position = 4;
        var version = cursor.U32();
        var tensorCount = cursor.U64();
        var entryCount = cursor.U64();
        var entries = new List<GgufEntry>();
        for (ulong i = 0; i < entryCount; i++)
        {
            var key = cursor.String();
            var type = (GgufValueType)cursor.U32();
            if (type == GgufValueType.Array)
            {
                var elementType = (GgufValueType)cursor.U32();
                entries.Add(new GgufEntry(key, type, ReadArray(ref cursor, elementType), elementType));
            }
            else
            {
                entries.Add(new GgufEntry(key, type, ReadScalar(ref cursor, type), null));
            }
        }

        if (entries.Select(e => e.Key).Distinct().Count() != entries.Count)
        {
            throw new InvalidDataException("duplicate keys");
        }

        var tensors = new List<GgufTensorInfo>();
        for (ulong i = 0; i < tensorCount; i++)
        {
            var name = cursor.String();
            var dimensionCount = cursor.U32();
            var dimensions = new long[dimensionCount];
            for (var d = 0; d < dimensionCount; d++)
            {
                dimensions[d] = checked((long)cursor.U64());
            }

            tensors.Add(new GgufTensorInfo(name, dimensions, (GgufTensorType)cursor.U32(), checked((long)cursor.U64())));
        }

        var alignment = entries.FirstOrDefault(e => e.Key == "general.alignment")?.Value is uint a ? (int)a : 32;
        var dataOffset = (cursor.Position + alignment - 1) / alignment * alignment;
        for (var p = cursor.Position; p < dataOffset; p++)
        {
            if (bytes[p] != 0)
            {
                throw new InvalidDataException("non-zero padding before the data section");
            }
        }

        long end = 0;
        foreach (var tensor in tensors.OrderBy(t => t.Offset))
        {
            if (tensor.Offset % alignment != 0 || tensor.Offset < end || dataOffset + tensor.Offset + tensor.ByteLength > bytes.Length)
            {
                throw new InvalidDataException($"tensor {tensor.Name} is misaligned, overlapping or out of range");
            }

            end = tensor.Offset + tensor.ByteLength;
        }

        return new GgufFile(bytes, version, entries, tensors, dataOffset, alignment);
    }

    private static object ReadScalar(ref Cursor cursor, GgufValueType type) => type switch
    {
        GgufValueType.UInt8 => cursor.Bytes(1)[0],
        GgufValueType.Int8 => (sbyte)cursor.Bytes(1)[0],
        GgufValueType.UInt16 => BinaryPrimitives.ReadUInt16LittleEndian(cursor.Bytes(2)),
        GgufValueType.Int16 => BinaryPrimitives.ReadInt16LittleEndian(cursor.Bytes(2)),
        GgufValueType.UInt32 => cursor.U32(),
        GgufValueType.Int32 => BinaryPrimitives.ReadInt32LittleEndian(cursor.Bytes(4)),
        GgufValueType.Float32 => BinaryPrimitives.ReadSingleLittleEndian(cursor.Bytes(4)),
        GgufValueType.Bool => cursor.Bytes(1)[0] switch
        {
            0 => false,
            1 => true,
            var b => throw new InvalidDataException($"bool byte {b}"),
        },
        GgufValueType.String => cursor.String(),
        GgufValueType.UInt64 => cursor.U64(),
        GgufValueType.Int64 => BinaryPrimitives.ReadInt64LittleEndian(cursor.Bytes(8)),
        GgufValueType.Float64 => BinaryPrimitives.ReadDoubleLittleEndian(cursor.Bytes(8)),
        _ => throw new InvalidDataException($"unknown value type {type}"),
    };

    private static Array ReadArray(ref Cursor cursor, GgufValueType elementType)
    {
        var count = checked((int)cursor.U64());
        Array array = elementType switch
        {
            GgufValueType.UInt8 => new byte[count],
            GgufValueType.Int8 => new sbyte[count],
            GgufValueType.UInt16 => new ushort[count],
            GgufValueType.Int16 => new short[count],
            GgufValueType.UInt32 => new uint[count],
            GgufValueType.Int32 => new int[count],
            GgufValueType.Float32 => new float[count],
            GgufValueType.Bool => new bool[count],
            GgufValueType.String => new string[count],
            GgufValueType.UInt64 => new ulong[count],
            GgufValueType.Int64 => new long[count],
            GgufValueType.Float64 => new double[count],
            _ => throw new InvalidDataException($"unsupported array element type {elementType}"),
        };

        for (var i = 0; i < count; i++)
        {
            array.SetValue(ReadScalar(ref cursor, elementType), i);
        }

        return array;
    }

    private struct Cursor(byte[] bytes)
    {
        public int Position { get; set; }

        public ReadOnlySpan<byte> Bytes(int count)
        {
            if (Position + count > bytes.Length)
            {
                throw new InvalidDataException("unexpected end of file");
            }

            var span = bytes.AsSpan(Position, count);
            Position += count;
            return span;
        }

        public uint U32() => BinaryPrimitives.ReadUInt32LittleEndian(Bytes(4));

        public ulong U64() => BinaryPrimitives.ReadUInt64LittleEndian(Bytes(8));

        public string String() => StrictUtf8.GetString(Bytes(checked((int)U64())));
    }
}
