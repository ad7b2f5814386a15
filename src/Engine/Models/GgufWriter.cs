using System.Buffers;
using System.Buffers.Binary;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace Vespa.Engine.Models;

/// <summary>
/// Writes a GGUF v3 file (<c>llama-native.md</c> §5.1): metadata and tensor descriptions are added
/// first, then <see cref="WriteTo"/> streams the whole file in one forward pass, so the stream
/// need not be seekable and tensor data can be produced on the fly (a 100M-parameter model is
/// never held in memory).
/// </summary>
/// <remarks>
/// Layout, all integers little-endian:
/// <code>
/// "GGUF" u32 version=3, u64 tensor_count, u64 kv_count
/// kv_count × (string key, u32 value type, value)          string = u64 byte length + UTF-8, no terminator
///                                                         array  = u32 element type + u64 count + elements
/// tensor_count × (string name, u32 n_dims, u64 ne[n_dims] (ne0 first), u32 ggml_type, u64 offset)
/// zero padding to a multiple of 32 from the start of the file
/// data section: each tensor at its offset (a multiple of 32 from the section start), zero padding after each
/// </code>
/// Keys and tensor names must be unique (llama.cpp rejects duplicates); entries are written in the
/// order they were added.
/// </remarks>
public sealed class GgufWriter
{
    /// <summary>Elements produced per call of a tensor's fill callback (256 KiB of F32).</summary>
    public const int FillChunkElements = 64 * 1024;

    private readonly List<Entry> _entries = [];
    private readonly List<Tensor> _tensors = [];
    private readonly HashSet<string> _keys = new(StringComparer.Ordinal);
    private readonly HashSet<string> _tensorNames = new(StringComparer.Ordinal);

    /// <summary>The number of metadata entries added so far.</summary>
    public int KeyValueCount => _entries.Count;

    /// <summary>The number of tensors added so far.</summary>
    public int TensorCount => _tensors.Count;

    public void AddUInt8(string key, byte value) => Add(key, GgufValueType.UInt8, w => w.Write(value));

    public void AddInt8(string key, sbyte value) => Add(key, GgufValueType.Int8, w => w.Write(value));

    public void AddUInt16(string key, ushort value) => Add(key, GgufValueType.UInt16, w => w.Write(value));

    public void AddInt16(string key, short value) => Add(key, GgufValueType.Int16, w => w.Write(value));

    public void AddUInt32(string key, uint value) => Add(key, GgufValueType.UInt32, w => w.Write(value));

    public void AddInt32(string key, int value) => Add(key, GgufValueType.Int32, w => w.Write(value));

    public void AddFloat32(string key, float value) => Add(key, GgufValueType.Float32, w => w.Write(value));

    /// <summary>A boolean, stored as one byte (0 or 1).</summary>
    public void AddBool(string key, bool value) => Add(key, GgufValueType.Bool, w => w.Write(value));

    public void AddString(string key, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        Add(key, GgufValueType.String, w => WriteString(w, value));
    }

    public void AddUInt64(string key, ulong value) => Add(key, GgufValueType.UInt64, w => w.Write(value));

    public void AddInt64(string key, long value) => Add(key, GgufValueType.Int64, w => w.Write(value));

    public void AddFloat64(string key, double value) => Add(key, GgufValueType.Float64, w => w.Write(value));

    /// <summary>An array of strings (e.g. <c>tokenizer.ggml.tokens</c>); the list is copied.</summary>
    public void AddArray(string key, IReadOnlyList<string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var copy = values.ToArray();
        if (Array.IndexOf(copy, null) >= 0)
        {
            throw new ArgumentException($"The string array '{key}' contains null.", nameof(values));
        }

        Add(key, GgufValueType.Array, w =>
        {
            w.Write((uint)GgufValueType.String);
            w.Write((ulong)copy.Length);
            foreach (var value in copy)
            {
                WriteString(w, value);
            }
        });
    }

    /// <summary>
    /// An array of numbers or booleans: <typeparamref name="T"/> is one of byte, sbyte, ushort, short,
    /// uint, int, float, bool, ulong, long, double. The values are copied. (Nested arrays are not supported.)
    /// </summary>
    public void AddArray<T>(string key, ReadOnlySpan<T> values)
        where T : unmanaged
    {
        var elementType = ElementTypeOf<T>();
        var copy = values.ToArray();
        Add(key, GgufValueType.Array, w =>
        {
            w.Write((uint)elementType);
            w.Write((ulong)copy.Length);
            WriteLittleEndian(w.BaseStream, copy);
        });
    }

    /// <summary>Adds a tensor whose elements are given (kept by reference until <see cref="WriteTo"/>).</summary>
    /// <param name="name">Unique, at most 63 UTF-8 bytes.</param>
    /// <param name="type">How the elements are stored; F16 rounds each value to nearest even.</param>
    /// <param name="dimensions">ggml order, ne0 (the contiguous one) first; 1 to 4 dimensions, each at least 1.</param>
    /// <param name="data">Exactly the product of the dimensions elements.</param>
    public void AddTensor(string name, GgufTensorType type, IReadOnlyList<long> dimensions, ReadOnlyMemory<float> data)
    {
        var count = ElementCount(dimensions);
        if (data.Length != count)
        {
            throw new ArgumentException($"Tensor '{name}' has {count} elements by its dimensions but {data.Length} were given.", nameof(data));
        }

        AddTensor(name, type, dimensions, (first, destination) => data.Span.Slice(checked((int)first), destination.Length).CopyTo(destination));
    }

    /// <summary>
    /// Adds a tensor whose elements are produced while the file is written: <paramref name="fill"/>
    /// receives the index of the first element wanted and a span to fill, and is called in order,
    /// chunk after chunk (at most <see cref="FillChunkElements"/> at a time), exactly once per element.
    /// </summary>
    public void AddTensor(string name, GgufTensorType type, IReadOnlyList<long> dimensions, Action<long, Span<float>> fill)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(fill);
        if (name.Length == 0 || Encoding.UTF8.GetByteCount(name) > Gguf.MaxTensorNameBytes)
        {
            throw new ArgumentException($"A tensor name must have 1 to {Gguf.MaxTensorNameBytes} UTF-8 bytes: '{name}'.", nameof(name));
        }

        if (type is not (GgufTensorType.F32 or GgufTensorType.F16))
        {
            throw new ArgumentOutOfRangeException(nameof(type), type, "Only F32 and F16 tensors can be written.");
        }

        var count = ElementCount(dimensions);
        if (!_tensorNames.Add(name))
        {
            throw new ArgumentException($"Duplicate tensor name '{name}'.", nameof(name));
        }

        _tensors.Add(new Tensor(name, type, [.. dimensions], count, fill));
    }

    /// <summary>The size in bytes of the file <see cref="WriteTo"/> produces.</summary>
    public long ComputeLength()
    {
        using var counter = new MemoryStream();
        WritePreamble(counter);
        return counter.Length + DataSectionLength();
    }

    /// <summary>Writes the whole file to <paramref name="stream"/> (which is not closed or flushed to disk).</summary>
    public void WriteTo(Stream stream, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);

        // The preamble (header, metadata, tensor infos, padding) is small even with a large vocab:
        // building it in memory gives its padded length without needing a seekable stream.
        using (var preamble = new MemoryStream())
        {
            WritePreamble(preamble);
            preamble.Position = 0;
            preamble.CopyTo(stream);
        }

        var floats = ArrayPool<float>.Shared.Rent(FillChunkElements);
        var bytes = ArrayPool<byte>.Shared.Rent(FillChunkElements * sizeof(float));
        try
        {
            foreach (var tensor in _tensors)
            {
                cancellationToken.ThrowIfCancellationRequested();
                WriteTensorData(stream, tensor, floats, bytes, cancellationToken);
                WritePadding(stream, tensor.ByteLength);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
            ArrayPool<float>.Shared.Return(floats);
        }

        stream.Flush();
    }

    private void Add(string key, GgufValueType type, Action<BinaryWriter> writeValue)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length == 0)
        {
            throw new ArgumentException("A metadata key must not be empty.", nameof(key));
        }

        if (!_keys.Add(key))
        {
            throw new ArgumentException($"Duplicate metadata key '{key}'.", nameof(key));
        }

        _entries.Add(new Entry(key, type, writeValue));
    }

    private void WritePreamble(MemoryStream stream)
    {
        // BinaryWriter writes little-endian on every platform.
        using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        writer.Write(Gguf.Magic);
        writer.Write(Gguf.Version);
        writer.Write((ulong)_tensors.Count);
        writer.Write((ulong)_entries.Count);
        foreach (var entry in _entries)
        {
            WriteString(writer, entry.Key);
            writer.Write((uint)entry.Type);
            entry.WriteValue(writer);
        }

        long offset = 0;
        foreach (var tensor in _tensors)
        {
            WriteString(writer, tensor.Name);
            writer.Write((uint)tensor.Dimensions.Length);
            foreach (var dimension in tensor.Dimensions)
            {
                writer.Write((ulong)dimension);
            }

            writer.Write((uint)tensor.Type);
            writer.Write((ulong)offset);
            offset += Align(tensor.ByteLength);
        }

        writer.Flush();
        WritePadding(stream, stream.Length);
    }

    private long DataSectionLength() => _tensors.Sum(t => Align(t.ByteLength));

    private static void WriteTensorData(Stream stream, Tensor tensor, float[] floats, byte[] bytes, CancellationToken cancellationToken)
    {
        for (long first = 0; first < tensor.ElementCount; first += FillChunkElements)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var count = (int)Math.Min(FillChunkElements, tensor.ElementCount - first);
            var chunk = floats.AsSpan(0, count);
            tensor.Fill(first, chunk);
            int byteCount;
            if (tensor.Type == GgufTensorType.F32)
            {
                byteCount = count * sizeof(float);
                var target = MemoryMarshal.Cast<byte, float>(bytes.AsSpan(0, byteCount));
                chunk.CopyTo(target);
                if (!BitConverter.IsLittleEndian)
                {
                    BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<float, uint>(target), MemoryMarshal.Cast<float, uint>(target));
                }
            }
            else
            {
                byteCount = count * sizeof(ushort);
                var target = MemoryMarshal.Cast<byte, ushort>(bytes.AsSpan(0, byteCount));

                // Vectorised, round-to-nearest-even: bit-identical to (Half)value, which the
                // generated models' pinned hashes depend on (DemoModelTests.TinyF16_Sha256_IsPinned).
                TensorPrimitives.ConvertToHalf(chunk, MemoryMarshal.Cast<ushort, Half>(target));
                if (!BitConverter.IsLittleEndian)
                {
                    BinaryPrimitives.ReverseEndianness(target, target);
                }
            }

            stream.Write(bytes, 0, byteCount);
        }
    }

    private static void WriteLittleEndian<T>(Stream stream, T[] values)
        where T : unmanaged
    {
        var bytes = MemoryMarshal.AsBytes(values.AsSpan());
        var size = Unsafe.SizeOf<T>();
        if (BitConverter.IsLittleEndian || size == 1)
        {
            stream.Write(bytes);
            return;
        }

        var element = new byte[size];
        for (var i = 0; i < bytes.Length; i += size)
        {
            bytes.Slice(i, size).CopyTo(element);
            Array.Reverse(element);
            stream.Write(element);
        }
    }

    private static void WriteString(BinaryWriter writer, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        writer.Write((ulong)bytes.Length);
        writer.Write(bytes);
    }

    private static void WritePadding(Stream stream, long length)
    {
        var padding = (int)(Align(length) - length);
        if (padding > 0)
        {
            Span<byte> zeros = stackalloc byte[Gguf.Alignment];
            zeros.Clear();
            stream.Write(zeros[..padding]);
        }
    }

    private static long Align(long length) => (length + Gguf.Alignment - 1) / Gguf.Alignment * Gguf.Alignment;

    private static long ElementCount(IReadOnlyList<long> dimensions)
    {
        ArgumentNullException.ThrowIfNull(dimensions);
        if (dimensions.Count is < 1 or > Gguf.MaxDimensions)
        {
            throw new ArgumentException($"A tensor has 1 to {Gguf.MaxDimensions} dimensions, not {dimensions.Count}.", nameof(dimensions));
        }

        long count = 1;
        foreach (var dimension in dimensions)
        {
            if (dimension < 1)
            {
                throw new ArgumentException($"Tensor dimensions must be at least 1, not {dimension}.", nameof(dimensions));
            }

            count = checked(count * dimension);
        }

        return count;
    }

    private static GgufValueType ElementTypeOf<T>()
        where T : unmanaged
    {
        return typeof(T) switch
        {
            var t when t == typeof(byte) => GgufValueType.UInt8,
            var t when t == typeof(sbyte) => GgufValueType.Int8,
            var t when t == typeof(ushort) => GgufValueType.UInt16,
            var t when t == typeof(short) => GgufValueType.Int16,
            var t when t == typeof(uint) => GgufValueType.UInt32,
            var t when t == typeof(int) => GgufValueType.Int32,
            var t when t == typeof(float) => GgufValueType.Float32,
            var t when t == typeof(bool) => GgufValueType.Bool,
            var t when t == typeof(ulong) => GgufValueType.UInt64,
            var t when t == typeof(long) => GgufValueType.Int64,
            var t when t == typeof(double) => GgufValueType.Float64,
            _ => throw new ArgumentException($"GGUF arrays cannot hold {typeof(T).Name} elements."),
        };
    }

    private sealed record Entry(string Key, GgufValueType Type, Action<BinaryWriter> WriteValue);

    private sealed record Tensor(string Name, GgufTensorType Type, long[] Dimensions, long ElementCount, Action<long, Span<float>> Fill)
    {
        public long ByteLength => ElementCount * (Type == GgufTensorType.F32 ? sizeof(float) : sizeof(ushort));
    }
}
