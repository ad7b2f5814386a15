using System.Diagnostics.CodeAnalysis;

namespace Vespa.Engine.Models;

/// <summary>
/// GGUF metadata value types (<c>enum gguf_type</c> in <c>ggml/include/gguf.h</c> of llama.cpp v0.5.0);
/// the numeric values are written to the file and must not change.
/// </summary>
[SuppressMessage("Naming", "CA1720:Identifier contains type name", Justification = "The member names mirror gguf.h's GGUF_TYPE_UINT8 ... GGUF_TYPE_FLOAT64.")]
public enum GgufValueType : uint
{
    UInt8 = 0,
    Int8 = 1,
    UInt16 = 2,
    Int16 = 3,
    UInt32 = 4,
    Int32 = 5,
    Float32 = 6,
    Bool = 7,
    String = 8,
    Array = 9,
    UInt64 = 10,
    Int64 = 11,
    Float64 = 12,
}
