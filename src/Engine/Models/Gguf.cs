namespace Vespa.Engine.Models;

/// <summary>Constants of the GGUF v3 container format (<c>llama-native.md</c> §5.1).</summary>
public static class Gguf
{
    /// <summary>The format version the writer produces.</summary>
    public const uint Version = 3;

    /// <summary><c>GGUF_DEFAULT_ALIGNMENT</c>: the data section and every tensor in it start at a multiple of this.</summary>
    public const int Alignment = 32;

    /// <summary>The longest tensor name ggml accepts (<c>GGML_MAX_NAME</c> is 64 including the terminator).</summary>
    public const int MaxTensorNameBytes = 63;

    /// <summary>The most dimensions a ggml tensor has (<c>GGML_MAX_DIMS</c>).</summary>
    public const int MaxDimensions = 4;

    /// <summary>The four bytes every GGUF file starts with.</summary>
    public static ReadOnlySpan<byte> Magic => "GGUF"u8;

    /// <summary>Whether <paramref name="header"/> starts with the GGUF magic.</summary>
    public static bool HasMagic(ReadOnlySpan<byte> header) => header.StartsWith(Magic);

    /// <summary>Whether the file at <paramref name="path"/> starts with the GGUF magic; I/O errors propagate.</summary>
    public static bool FileHasMagic(string path)
    {
        Span<byte> header = stackalloc byte[4];
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1);
        var read = stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        return read == header.Length && HasMagic(header);
    }
}
