namespace Vespa.Engine.Models;

/// <summary>
/// The <c>ggml_type</c> values the writer can produce; the numeric values are written to the file
/// and must not change.
/// </summary>
public enum GgufTensorType : uint
{
    /// <summary>IEEE 754 single precision, 4 bytes per element.</summary>
    F32 = 0,

    /// <summary>IEEE 754 half precision, 2 bytes per element (converted with round-to-nearest-even).</summary>
    F16 = 1,
}
